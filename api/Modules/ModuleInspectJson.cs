using System.Text.Encodings.Web;
using System.Text.Json;

namespace PartnerBot.Api.Modules;

/// <summary>
/// Writes the <c>module inspect --json</c> line for a module (shape fixed in INTERFACES.md). Written by hand
/// with <see cref="Utf8JsonWriter"/> because <c>default</c> must be absent when there is none yet <c>null</c> for
/// <c>default = null</c>, a distinction attribute-driven serialization cannot express.
/// </summary>
public static class ModuleInspectJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        MaxDepth = 1024,
    };

    public static string ToJsonLine(ModuleLoadResult result)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions)) Write(writer, result);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static void Write(Utf8JsonWriter writer, ModuleLoadResult result)
    {
        writer.WriteStartObject();
        writer.WriteString("name", result.Name);
        if (result.Module is not { } module)
        {
            writer.WriteString("error", result.Error);
            writer.WriteEndObject();
            return;
        }

        writer.WriteBoolean("valid", module.Valid);
        writer.WriteStartArray("problems");
        foreach (var problem in module.Problems) writer.WriteStringValue(problem);
        writer.WriteEndArray();

        var m = module.Metadata;
        writer.WriteStartObject("metadata");
        writer.WriteString("description", m.Description);
        writer.WriteString("documentation", m.Documentation);
        WriteStrings(writer, "dependencies", m.Dependencies);
        WriteStrings(writer, "services", m.Services);
        writer.WriteNumber("creditCost", m.CreditCost);
        writer.WriteBoolean("requireCreditPurchases", m.RequireCreditPurchases);
        WriteNullableBool(writer, "publicAccess", m.PublicAccess);
        WriteNullableBool(writer, "enablePurge", m.EnablePurge);
        WriteStrings(writer, "sharedUsers", m.SharedUsers);
        WriteStrings(writer, "technicalSupportUsers", m.TechnicalSupportUsers);
        writer.WriteEndObject();

        writer.WriteStartArray("variables");
        foreach (var v in module.Variables)
        {
            writer.WriteStartObject();
            writer.WriteString("name", v.Name);
            writer.WriteString("type", v.Type);
            writer.WriteString("description", v.Description);
            if (v.HasDefault)
            {
                writer.WritePropertyName("default");
                if (v.Default is null) writer.WriteNullValue();
                else v.Default.WriteTo(writer);
            }
            writer.WriteBoolean("required", v.Required);
            writer.WriteBoolean("sensitive", v.Sensitive);
            writer.WriteBoolean("nullable", v.Nullable);
            WriteNullableInt(writer, "group", v.Group);
            WriteNullableInt(writer, "order", v.Order);
            writer.WriteBoolean("updateSafe", v.UpdateSafe);
            writer.WriteStartArray("validations");
            foreach (var validation in v.Validations)
            {
                writer.WriteStartObject();
                writer.WriteString("condition", validation.Condition);
                writer.WriteString("errorMessage", validation.ErrorMessage);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values) writer.WriteStringValue(value);
        writer.WriteEndArray();
    }

    private static void WriteNullableBool(Utf8JsonWriter writer, string name, bool? value)
    {
        if (value is { } b) writer.WriteBoolean(name, b);
        else writer.WriteNull(name);
    }

    private static void WriteNullableInt(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } i) writer.WriteNumber(name, i);
        else writer.WriteNull(name);
    }
}
