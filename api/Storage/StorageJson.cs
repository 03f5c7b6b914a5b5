using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PartnerBot.Api.Storage;

/// <summary>
/// The one serializer configuration for stored documents: camelCase properties, enums as their names, nulls kept.
/// Source-generated contexts should use the same settings
/// (<c>[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]</c>).
/// </summary>
public static class StorageJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly();
        return options;
    }

    internal static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    /// <summary>A typed body as the node tree the <see cref="System.Text.Json.Nodes.JsonObject"/> writes take.</summary>
    internal static System.Text.Json.Nodes.JsonObject ToObject<T>(T body, JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.SerializeToNode(body, typeInfo) as System.Text.Json.Nodes.JsonObject
            ?? throw new ArgumentException($"{typeof(T).Name} does not serialize to a JSON object.", nameof(body));
}

/// <summary>A typed document with its concurrency token.</summary>
public sealed record Stored<T>(string PartitionKey, string Id, T Value, string ETag);

/// <summary>One page of typed query results.</summary>
public sealed record StoredPage<T>(IReadOnlyList<Stored<T>> Items, string? ContinuationToken);
