using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Api.Storage.Cosmos;

/// <summary>The SDK's continuation token, bound to the query shape it came from and made opaque.</summary>
internal static class CosmosContinuation
{
    public static string Encode(string sdkToken, DocumentQuery query)
    {
        var json = new JsonObject { ["o"] = query.OrderBy, ["d"] = query.Descending, ["c"] = sdkToken }.ToJsonString();
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static string? Decode(DocumentQuery query)
    {
        if (query.ContinuationToken is null) return null;
        try
        {
            var b64 = query.ContinuationToken.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var json = JsonNode.Parse(Convert.FromBase64String(b64))!.AsObject();
            if ((string?)json["o"] != query.OrderBy || (bool)json["d"]! != query.Descending)
                throw new ArgumentException("The continuation token belongs to a query with another ORDER BY.", nameof(query));
            return (string?)json["c"] ?? throw new FormatException("Continuation without SDK token.");
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or NullReferenceException or InvalidCastException)
        {
            throw new ArgumentException("The continuation token is not valid.", nameof(query), e);
        }
    }
}
