using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace PartnerBot.Api.Storage.Sqlite;

/// <summary>Translates filters and ORDER BY paths into SQLite JSON1 expressions over the <c>body</c> column.</summary>
internal sealed class SqliteSql(SqliteCommand command)
{
    private int _next;

    public static string ToSqlitePath(JsonPointer pointer)
    {
        var sb = new StringBuilder("$");
        foreach (var segment in pointer.Segments)
        {
            if (JsonPointer.IsArrayIndex(segment, out var index)) sb.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
            else sb.Append(".\"").Append(segment).Append('"');
        }
        return sb.ToString();
    }

    public string Parameter(object? value)
    {
        var name = "@p" + _next++.ToString(CultureInfo.InvariantCulture);
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return name;
    }

    /// <summary>A boolean SQL expression that holds when every filter holds on <c>body</c>.</summary>
    public string Where(IReadOnlyList<FieldFilter>? filters)
    {
        if (filters is null || filters.Count == 0) return "1";
        return string.Join(" AND ", filters.Select(f => "(" + Filter(f) + ")"));
    }

    private string Filter(FieldFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var path = Parameter(ToSqlitePath(JsonPointer.Parse(filter.Path)));
        var type = $"json_type(body, {path})";
        var value = $"json_extract(body, {path})";
        switch (filter.Operator)
        {
            case FilterOperator.Exists: return $"{type} IS NOT NULL";
            case FilterOperator.NotExists: return $"{type} IS NULL";
            case FilterOperator.Equal: return Equal(type, value, JsonScalar.From(filter.Value, filter.Path));
            case FilterOperator.NotEqual: return $"{type} IS NOT NULL AND NOT ({Equal(type, value, JsonScalar.From(filter.Value, filter.Path))})";
            case FilterOperator.In:
                if (filter.Value is not System.Text.Json.Nodes.JsonArray values)
                    throw new ArgumentException($"Filter In on '{filter.Path}' needs an array of values.");
                return values.Count == 0 ? "0" : string.Join(" OR ", values.Select(v => "(" + Equal(type, value, JsonScalar.From(v, filter.Path)) + ")"));
            case FilterOperator.StartsWith:
                var prefix = JsonScalar.From(filter.Value, filter.Path);
                if (prefix.Kind != JsonValueKind.String) throw new ArgumentException($"StartsWith on '{filter.Path}' needs a string.");
                var p = Parameter(prefix.Value);
                return $"{type} = 'text' AND substr({value}, 1, length({p})) = {p}";
            case FilterOperator.ArrayContains:
                var item = JsonScalar.From(filter.Value, filter.Path);
                return $"{type} = 'array' AND EXISTS (SELECT 1 FROM json_each(body, {path}) AS e WHERE {Equal("e.type", "e.value", item)})";
            case FilterOperator.LessThan: return Range(type, value, "<", filter);
            case FilterOperator.LessThanOrEqual: return Range(type, value, "<=", filter);
            case FilterOperator.GreaterThan: return Range(type, value, ">", filter);
            case FilterOperator.GreaterThanOrEqual: return Range(type, value, ">=", filter);
            default: throw new ArgumentOutOfRangeException(nameof(filter), filter.Operator, "Unknown filter operator.");
        }
    }

    private string Equal(string type, string value, JsonScalar operand) => operand.Kind switch
    {
        JsonValueKind.Null => $"{type} = 'null'",
        JsonValueKind.True => $"{type} = 'true'",
        JsonValueKind.False => $"{type} = 'false'",
        JsonValueKind.Number => $"{type} IN ('integer', 'real') AND {value} = {Parameter(operand.Value)}",
        _ => $"{type} = 'text' AND {value} = {Parameter(operand.Value)}",
    };

    private string Range(string type, string value, string op, FieldFilter filter)
    {
        var operand = JsonScalar.From(filter.Value, filter.Path);
        return operand.Kind switch
        {
            JsonValueKind.Number => $"{type} IN ('integer', 'real') AND {value} {op} {Parameter(operand.Value)}",
            JsonValueKind.String => $"{type} = 'text' AND {value} {op} {Parameter(operand.Value)}",
            JsonValueKind.True or JsonValueKind.False => $"{type} IN ('true', 'false') AND {value} {op} {Parameter(operand.Kind == JsonValueKind.True ? 1 : 0)}",
            _ => throw new ArgumentException($"Range filter on '{filter.Path}' cannot compare with null."),
        };
    }

    /// <summary>
    /// Sort rank by JSON type, in Cosmos DB's order: missing, null, booleans, numbers, strings, arrays/objects.
    /// </summary>
    public static string Rank(string path) =>
        $"CASE json_type(body, {path}) WHEN 'null' THEN 1 WHEN 'false' THEN 2 WHEN 'true' THEN 2 WHEN 'integer' THEN 3 WHEN 'real' THEN 3 WHEN 'text' THEN 4 WHEN 'array' THEN 5 WHEN 'object' THEN 6 ELSE 0 END";

    /// <summary>The comparable value within a rank (never NULL, so row-value comparisons work).</summary>
    public static string SortValue(string path) =>
        $"CASE WHEN json_type(body, {path}) IS NULL OR json_type(body, {path}) = 'null' THEN 0 ELSE json_extract(body, {path}) END";
}
