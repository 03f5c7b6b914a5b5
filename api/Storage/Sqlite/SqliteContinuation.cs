using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Api.Storage.Sqlite;

/// <summary>The keyset position after the last item of a page, as an opaque base64url token.</summary>
internal sealed record SqliteContinuation(string? OrderBy, bool Descending, int Rank, JsonNode? Value, string Id, string PartitionKey)
{
    public string Encode()
    {
        var json = new JsonObject
        {
            ["o"] = OrderBy, ["d"] = Descending, ["r"] = Rank, ["v"] = Value?.DeepClone(), ["i"] = Id, ["p"] = PartitionKey,
        }.ToJsonString();
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static SqliteContinuation Decode(string token, DocumentQuery query)
    {
        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var json = JsonNode.Parse(Convert.FromBase64String(b64))!.AsObject();
            var decoded = new SqliteContinuation(
                (string?)json["o"], (bool)json["d"]!, (int)json["r"]!, json["v"]?.DeepClone(), (string)json["i"]!, (string)json["p"]!);
            if (decoded.OrderBy != query.OrderBy || decoded.Descending != query.Descending)
                throw new ArgumentException("The continuation token belongs to a query with another ORDER BY.", nameof(query));
            return decoded;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or NullReferenceException or InvalidCastException)
        {
            throw new ArgumentException("The continuation token is not valid.", nameof(query), e);
        }
    }

    /// <summary>The sort value as a SQLite parameter value.</summary>
    public object SortValue()
    {
        if (Value is null) return 0L;
        return Value.GetValueKind() switch
        {
            JsonValueKind.String => Value.GetValue<string>(),
            JsonValueKind.Number => JsonScalar.Number(Value.AsValue()),
            _ => 0L,
        };
    }
}
