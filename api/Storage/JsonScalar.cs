using System.Text.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Api.Storage;

/// <summary>A filter operand reduced to a comparable scalar.</summary>
internal readonly record struct JsonScalar(JsonValueKind Kind, object? Value)
{
    public bool IsNumber => Kind == JsonValueKind.Number;

    /// <summary>Strings, numbers (long when integral, else double), booleans and null; arrays and objects are refused.</summary>
    public static JsonScalar From(JsonNode? node, string path)
    {
        if (node is null) return new(JsonValueKind.Null, null);
        var kind = node.GetValueKind();
        return kind switch
        {
            JsonValueKind.String => new(kind, node.GetValue<string>()),
            JsonValueKind.True => new(kind, true),
            JsonValueKind.False => new(kind, false),
            JsonValueKind.Null => new(kind, null),
            JsonValueKind.Number => new(kind, Number(node.AsValue())),
            _ => throw new ArgumentException($"Filter on '{path}' compares with a {kind}; only strings, numbers, booleans and null can be compared."),
        };
    }

    public static object Number(JsonValue value)
    {
        // The JSON text is the one representation every numeric JsonValue shares.
        var text = value.ToJsonString();
        return long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var l)
            ? l
            : double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }
}
