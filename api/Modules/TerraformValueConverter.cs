using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerBot.Api.Modules.Hcl;

namespace PartnerBot.Api.Modules;

/// <summary>A submitted value that cannot be converted to the variable's type; the message is meant for the partner.</summary>
public sealed class ValueConversionException(string message) : Exception(message);

/// <summary>
/// Converts submitted values to a variable's type as Terraform would: form text for primitives and simple
/// collections (one item per line or comma-separated, <c>key=value</c> lines for maps), JSON for anything structured.
/// </summary>
public static class TerraformValueConverter
{
    /// <summary>Converts form text. Empty text for a non-string type means "not provided" and yields null.</summary>
    public static HclValue FromText(TerraformType type, string text)
    {
        var trimmed = text.Trim();
        switch (type.Kind)
        {
            case TerraformTypeKind.String:
                return new HclString(text);
            case TerraformTypeKind.Number:
                if (trimmed.Length == 0) return HclValue.Null;
                return HclNumber.TryParse(trimmed, out var number) ? number : throw new ValueConversionException($"\"{Shorten(text)}\" is not a number.");
            case TerraformTypeKind.Bool:
                if (trimmed.Length == 0) return HclValue.Null;
                if (trimmed.Equals("true", StringComparison.OrdinalIgnoreCase)) return HclValue.True;
                if (trimmed.Equals("false", StringComparison.OrdinalIgnoreCase)) return HclValue.False;
                throw new ValueConversionException($"\"{Shorten(text)}\" is not true or false.");
            case TerraformTypeKind.List or TerraformTypeKind.Set when type.Element!.IsPrimitive && !trimmed.StartsWith('['):
            {
                var items = trimmed.Split(['\n', ','], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .Select(item => FromText(type.Element, item)).ToList();
                return Convert(type, new HclList(items), "value");
            }
            case TerraformTypeKind.Map when type.Element!.IsPrimitive && !trimmed.StartsWith('{'):
            {
                var map = new Dictionary<string, HclValue>(StringComparer.Ordinal);
                foreach (var line in trimmed.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    var equals = line.IndexOf('=');
                    if (equals <= 0) throw new ValueConversionException($"\"{Shorten(line)}\" is not a key=value pair.");
                    map[line[..equals].Trim()] = FromText(type.Element, line[(equals + 1)..].Trim());
                }
                return new HclMap(map);
            }
            case TerraformTypeKind.Any:
                if (trimmed.Length == 0) return new HclString(text);
                try { return HclValue.FromJson(JsonNode.Parse(trimmed)); }
                catch (JsonException) { return new HclString(text); }
            default:
                if (trimmed.Length == 0) return HclValue.Null;
                JsonNode? json;
                try { json = JsonNode.Parse(trimmed); }
                catch (JsonException e) { throw new ValueConversionException($"Expected JSON for a {type} value: {e.Message}"); }
                return Convert(type, HclValue.FromJson(json), "value");
        }
    }

    /// <summary>Converts an already-structured value (JSON input, a default) to the type, filling optional attributes.</summary>
    public static HclValue Convert(TerraformType type, HclValue value, string path)
    {
        if (value is HclNull) return value;
        switch (type.Kind)
        {
            case TerraformTypeKind.Any:
                return value;
            case TerraformTypeKind.String:
                return value switch
                {
                    HclString => value,
                    HclNumber or HclBool => new HclString(HclEvaluator.ToStringValue(value, path)),
                    _ => throw new ValueConversionException($"{path}: a string is required, got {value.TypeName}."),
                };
            case TerraformTypeKind.Number:
                return value switch
                {
                    HclNumber => value,
                    HclString s when HclNumber.TryParse(s.Value, out var n) => n,
                    _ => throw new ValueConversionException($"{path}: a number is required, got {Describe(value)}."),
                };
            case TerraformTypeKind.Bool:
                return value switch
                {
                    HclBool => value,
                    HclString { Value: "true" } => HclValue.True,
                    HclString { Value: "false" } => HclValue.False,
                    _ => throw new ValueConversionException($"{path}: true or false is required, got {Describe(value)}."),
                };
            case TerraformTypeKind.List or TerraformTypeKind.Set:
            {
                if (value is not HclList list) throw new ValueConversionException($"{path}: a list is required, got {value.TypeName}.");
                var items = list.Items.Select((item, i) => Convert(type.Element!, item, $"{path}[{i}]")).ToList();
                if (type.Kind == TerraformTypeKind.Set)
                {
                    if (items.Any(i => i is HclNull)) throw new ValueConversionException($"{path}: a set cannot contain null.");
                    items = items.Where((item, i) => !items.Take(i).Any(earlier => HclEvaluator.ValuesEqual(earlier, item))).ToList();
                }
                return new HclList(items);
            }
            case TerraformTypeKind.Tuple:
            {
                if (value is not HclList list) throw new ValueConversionException($"{path}: a list is required, got {value.TypeName}.");
                var elements = type.TupleElements!;
                if (list.Items.Count != elements.Count) throw new ValueConversionException($"{path}: exactly {elements.Count} items are required, got {list.Items.Count}.");
                return new HclList(list.Items.Select((item, i) => Convert(elements[i], item, $"{path}[{i}]")).ToList());
            }
            case TerraformTypeKind.Map:
            {
                if (value is not HclMap map) throw new ValueConversionException($"{path}: a map is required, got {value.TypeName}.");
                return new HclMap(map.Attributes.ToDictionary(p => p.Key, p => Convert(type.Element!, p.Value, $"{path}[\"{p.Key}\"]"), StringComparer.Ordinal));
            }
            case TerraformTypeKind.Object:
            {
                if (value is not HclMap map) throw new ValueConversionException($"{path}: an object is required, got {value.TypeName}.");
                var result = new Dictionary<string, HclValue>(StringComparer.Ordinal);
                foreach (var attribute in type.Attributes!)
                {
                    var attributePath = $"{path}.{attribute.Name}";
                    if (map.Attributes.TryGetValue(attribute.Name, out var present) && present is not HclNull)
                        result[attribute.Name] = Convert(attribute.Type, present, attributePath);
                    else if (attribute.Optional)
                        result[attribute.Name] = attribute.DefaultExpression is null && attribute.DefaultSyntax is null ? HclValue.Null : Convert(attribute.Type, OptionalDefault(attribute), attributePath);
                    else if (present is HclNull)
                        result[attribute.Name] = HclValue.Null;
                    else
                        throw new ValueConversionException($"{path}: attribute \"{attribute.Name}\" is required.");
                }
                return new HclMap(result);
            }
            default:
                return value;
        }
    }

    private static HclValue OptionalDefault(TerraformObjectAttribute attribute)
    {
        try
        {
            return new HclEvaluator().Evaluate(attribute.DefaultSyntax ?? HclParser.ParseExpression(attribute.DefaultExpression!));
        }
        catch (Exception e) when (e is HclSyntaxException or HclEvaluationException or HclUndecidedException)
        {
            throw new ValueConversionException($"The default of optional attribute \"{attribute.Name}\" cannot be evaluated: {e.Message}");
        }
    }

    private static string Describe(HclValue value) => value is HclString s ? $"\"{Shorten(s.Value)}\"" : value.TypeName;

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
