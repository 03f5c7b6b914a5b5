using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PartnerBot.Api.Http;

/// <summary>Serialization between typed records and stored document bodies (web casing, enums as strings).</summary>
public static class StoreJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static JsonObject ToBody<T>(T value) =>
        JsonSerializer.SerializeToNode(value, Options) as JsonObject
        ?? throw new InvalidOperationException($"{typeof(T).Name} does not serialize to a JSON object.");

    public static T FromBody<T>(JsonObject body) =>
        body.Deserialize<T>(Options) ?? throw new InvalidOperationException($"Stored {typeof(T).Name} is empty.");

    /// <summary>True when <paramref name="id"/> can name a document (1-255 characters, none of / \ ? #).</summary>
    public static bool IsValidId(string? id) =>
        !string.IsNullOrWhiteSpace(id) && id.Length <= 255 && id.IndexOfAny(['/', '\\', '?', '#']) < 0;

    /// <summary>A short, stable, URL-safe id derived from the given parts (used for idempotent creates).</summary>
    public static string StableId(string prefix, params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts)));
        return prefix + Convert.ToHexStringLower(hash.AsSpan(0, 12));
    }
}
