using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;

namespace PartnerBot.Api.Storage.Cosmos;

/// <summary>
/// Translates filters into Cosmos DB SQL over the alias <c>c</c>. Comparisons are guarded by type checks so that
/// values of another JSON type never match, exactly as in the SQLite adapter.
/// </summary>
internal sealed class CosmosSql
{
    private readonly List<(string Name, object? Value)> _parameters = [];
    private readonly bool _inlineLiterals;

    /// <param name="inlineLiterals">Patch filter predicates take no parameters, so values are written as literals.</param>
    public CosmosSql(bool inlineLiterals = false) => _inlineLiterals = inlineLiterals;

    public static string Property(string path)
    {
        var sb = new StringBuilder("c");
        foreach (var segment in JsonPointer.Parse(path).Segments)
        {
            if (JsonPointer.IsArrayIndex(segment, out var index)) sb.Append('[').Append(index).Append(']');
            else sb.Append('[').Append(JsonSerializer.Serialize(segment)).Append(']');
        }
        return sb.ToString();
    }

    public QueryDefinition Definition(string sql)
    {
        var definition = new QueryDefinition(sql);
        foreach (var (name, value) in _parameters) definition = definition.WithParameter(name, value);
        return definition;
    }

    public string Where(IReadOnlyList<FieldFilter>? filters) =>
        filters is null || filters.Count == 0 ? "true" : string.Join(" AND ", filters.Select(f => "(" + Filter(f) + ")"));

    private string Filter(FieldFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var x = Property(filter.Path);
        switch (filter.Operator)
        {
            case FilterOperator.Exists: return $"IS_DEFINED({x})";
            case FilterOperator.NotExists: return $"NOT IS_DEFINED({x})";
            case FilterOperator.Equal: return Equal(x, JsonScalar.From(filter.Value, filter.Path));
            case FilterOperator.NotEqual: return $"IS_DEFINED({x}) AND NOT ({Equal(x, JsonScalar.From(filter.Value, filter.Path))})";
            case FilterOperator.In:
                if (filter.Value is not JsonArray values) throw new ArgumentException($"Filter In on '{filter.Path}' needs an array of values.");
                return values.Count == 0 ? "false" : string.Join(" OR ", values.Select(v => "(" + Equal(x, JsonScalar.From(v, filter.Path)) + ")"));
            case FilterOperator.StartsWith:
                var prefix = JsonScalar.From(filter.Value, filter.Path);
                if (prefix.Kind != JsonValueKind.String) throw new ArgumentException($"StartsWith on '{filter.Path}' needs a string.");
                return $"IS_STRING({x}) AND STARTSWITH({x}, {Value(prefix)})";
            case FilterOperator.ArrayContains:
                return $"IS_ARRAY({x}) AND ARRAY_CONTAINS({x}, {Value(JsonScalar.From(filter.Value, filter.Path))})";
            case FilterOperator.LessThan: return Range(x, "<", filter);
            case FilterOperator.LessThanOrEqual: return Range(x, "<=", filter);
            case FilterOperator.GreaterThan: return Range(x, ">", filter);
            case FilterOperator.GreaterThanOrEqual: return Range(x, ">=", filter);
            default: throw new ArgumentOutOfRangeException(nameof(filter), filter.Operator, "Unknown filter operator.");
        }
    }

    private string Equal(string x, JsonScalar operand) => operand.Kind switch
    {
        JsonValueKind.Null => $"IS_NULL({x})",
        JsonValueKind.True => $"IS_BOOL({x}) AND {x} = true",
        JsonValueKind.False => $"IS_BOOL({x}) AND {x} = false",
        JsonValueKind.Number => $"IS_NUMBER({x}) AND {x} = {Value(operand)}",
        _ => $"IS_STRING({x}) AND {x} = {Value(operand)}",
    };

    private string Range(string x, string op, FieldFilter filter)
    {
        var operand = JsonScalar.From(filter.Value, filter.Path);
        return operand.Kind switch
        {
            JsonValueKind.Number => $"IS_NUMBER({x}) AND {x} {op} {Value(operand)}",
            JsonValueKind.String => $"IS_STRING({x}) AND {x} {op} {Value(operand)}",
            JsonValueKind.True or JsonValueKind.False => $"IS_BOOL({x}) AND {x} {op} {(operand.Kind == JsonValueKind.True ? "true" : "false")}",
            _ => throw new ArgumentException($"Range filter on '{filter.Path}' cannot compare with null."),
        };
    }

    private string Value(JsonScalar operand)
    {
        if (_inlineLiterals)
        {
            return operand.Value switch
            {
                null => "null",
                string s => JsonSerializer.Serialize(s),
                bool b => b ? "true" : "false",
                long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
                double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                var other => throw new ArgumentException($"Cannot write {other} as a literal."),
            };
        }
        var name = "@p" + _parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _parameters.Add((name, operand.Value));
        return name;
    }
}
