using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Api.Modules;

/// <summary>The metadata of a module and the problems that make it unusable (each names the variable and its value).</summary>
public sealed record MetadataReadResult(ModuleMetadata Metadata, IReadOnlyList<string> Problems);

/// <summary>
/// Reads the ten metadata variables from their defaults, the way the platform's repositories write them. Older
/// modules declare scalars as strings (<c>type = string, default = "250"</c>), so numbers and booleans are also read
/// from their string form. A value that cannot be read is reported, never replaced by 0 or false: a module whose
/// cost is unknown must not be deployed for free.
/// </summary>
public static class ModuleMetadataReader
{
    public static MetadataReadResult Read(IReadOnlyList<ModuleVariable> variables)
    {
        var problems = new List<string>();
        var byName = new Dictionary<string, ModuleVariable>(StringComparer.Ordinal);
        foreach (var variable in variables)
            if (variable.IsMetadata) byName.TryAdd(variable.Name, variable);

        // A metadata variable without a default, or with default = null, is simply not set.
        JsonNode? Value(string name, out bool present)
        {
            present = false;
            if (!byName.TryGetValue(name, out var variable) || !variable.HasDefault) return null;
            if (variable.DefaultUnreadable)
            {
                problems.Add($"{name}: the default is not a constant value.");
                return null;
            }
            present = variable.Default is not null;
            return variable.Default;
        }

        string? Text(string name)
        {
            var node = Value(name, out var present);
            if (!present) return null;
            if (AsText(node) is { } text) return text;
            problems.Add($"{name}: {Show(node)} is not a string.");
            return null;
        }

        IReadOnlyList<string> Texts(string name)
        {
            var node = Value(name, out var present);
            if (!present) return [];
            if (node is JsonArray array)
            {
                var items = array.Select(AsText).ToArray();
                if (items.All(i => i is not null)) return items!;
            }
            problems.Add($"{name}: {Show(node)} is not a list of strings.");
            return [];
        }

        bool? Flag(string name)
        {
            var node = Value(name, out var present);
            if (!present) return null;
            if (AsBool(node) is { } flag) return flag;
            problems.Add($"{name}: {Show(node)} is not true or false.");
            return null;
        }

        decimal Cost(string name)
        {
            var node = Value(name, out var present);
            if (!present) return 0m;
            if (AsNumber(node) is not { } cost)
            {
                problems.Add($"{name}: {Show(node)} is not a number.");
                return 0m;
            }
            if (cost < 0)
            {
                problems.Add($"{name}: {Show(node)} is negative; a cost is 0 or more.");
                return 0m;
            }
            return cost;
        }

        var metadata = new ModuleMetadata(
            Text("module_description"),
            Text("module_documentation"),
            Texts("module_dependency"),
            Texts("module_services"),
            Cost("credit_cost"),
            Flag("require_credit_purchases") ?? false,
            Flag("public_access"),
            Flag("enable_purge"),
            Texts("shared_users"),
            Texts("technical_support_users"));
        return new MetadataReadResult(metadata, problems);
    }

    /// <summary>A number, or a string holding one (surrounding spaces allowed, invariant culture).</summary>
    public static decimal? AsNumber(JsonNode? node)
    {
        if (node is not JsonValue value) return null;
        switch (value.GetValueKind())
        {
            case JsonValueKind.Number:
                return value.TryGetValue<decimal>(out var number) ? number
                    : decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number) ? number : null;
            case JsonValueKind.String:
                var text = value.GetValue<string>().Trim();
                if (text.Length == 0 || !(char.IsAsciiDigit(text[0]) || text[0] is '-' or '+' or '.')) return null;
                return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                    CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
            default:
                return null;
        }
    }

    /// <summary>A boolean, or the string <c>"true"</c> / <c>"false"</c> (any case, surrounding spaces allowed).</summary>
    public static bool? AsBool(JsonNode? node)
    {
        if (node is not JsonValue value) return null;
        switch (value.GetValueKind())
        {
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.String:
                var text = value.GetValue<string>().Trim();
                if (text.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
                if (text.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
                return null;
            default:
                return null;
        }
    }

    /// <summary>A string, or a number or boolean written as one (Terraform converts those to strings too).</summary>
    private static string? AsText(JsonNode? node)
    {
        if (node is not JsonValue value) return null;
        return value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    /// <summary>The value as written in JSON (strings quoted), shortened so a problem stays one readable line.</summary>
    private static string Show(JsonNode? node)
    {
        var json = node?.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null";
        return json.Length <= 80 ? json : json[..77] + "...";
    }
}
