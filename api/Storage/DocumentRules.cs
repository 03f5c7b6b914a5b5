using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace PartnerBot.Api.Storage;

/// <summary>The rules every adapter enforces the same way (Cosmos DB's), so code behaves alike on both.</summary>
internal static class DocumentRules
{
    public const int MaxDocumentBytes = 2 * 1024 * 1024;
    public const int MaxPageSize = 1000;

    public static bool IsReserved(string propertyName) =>
        propertyName is "id" or "pk" or "ttl" || propertyName.StartsWith('_');

    public static void ValidateKey(string container, string partitionKey, string id)
    {
        ValidateContainer(container);
        ArgumentNullException.ThrowIfNull(partitionKey);
        ValidateId(id);
    }

    public static void ValidateContainer(string container)
    {
        if (string.IsNullOrEmpty(container) || container.Length > 255 || !container.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"Container name '{container}' must be 1-255 ASCII letters, digits, '-' or '_'.", nameof(container));
    }

    public static void ValidateId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length is 0 or > 255 || id.IndexOfAny(['/', '\\', '?', '#']) >= 0)
            throw new ArgumentException($"Document id '{id}' must be 1-255 characters without '/', '\\', '?' or '#'.", nameof(id));
    }

    /// <summary>
    /// Checks the caller's body and writes it to <paramref name="buffer"/> as the stored document: <c>id</c> first, then
    /// the body's own properties, then <paramref name="extra"/> (an adapter's own, such as Cosmos DB's <c>pk</c>).
    /// Written straight from the caller's nodes, without copying them; on a bad body the buffer holds a fragment.
    /// </summary>
    public static void WriteBody(System.Buffers.IBufferWriter<byte> buffer, string id, JsonObject body,
        params ReadOnlySpan<(string Name, JsonNode Value)> extra)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var writer = new System.Text.Json.Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        writer.WriteString("id", id);
        foreach (var (name, value) in body)
        {
            if (name == "id")
            {
                if (value is not JsonValue v || !v.TryGetValue<string>(out var bodyId) || bodyId != id)
                    throw IdDiffers(value?.ToJsonString() ?? "null", id);
                continue;
            }
            ThrowIfReserved(name);
            writer.WritePropertyName(name);
            if (value is null) writer.WriteNullValue();
            else value.WriteTo(writer);
        }
        EndBody(writer, extra);
    }

    /// <summary>
    /// <see cref="WriteBody(System.Buffers.IBufferWriter{byte}, string, JsonObject, ReadOnlySpan{ValueTuple{string, JsonNode}})"/>
    /// for a typed body: serialized once with <paramref name="typeInfo"/> and copied property by property, with the same
    /// checks, so no node tree is built for it.
    /// </summary>
    public static void WriteBody<T>(System.Buffers.IBufferWriter<byte> buffer, string id, T body, JsonTypeInfo<T> typeInfo,
        params ReadOnlySpan<(string Name, JsonNode Value)> extra)
    {
        if (body is null) throw new ArgumentNullException(nameof(body));
        ArgumentNullException.ThrowIfNull(typeInfo);
        var own = Json.ScratchBuffer.Rent();
        try
        {
            using (var serializer = new Utf8JsonWriter(own)) JsonSerializer.Serialize(serializer, body, typeInfo);
            var source = own.WrittenSpan;
            var reader = new Utf8JsonReader(source);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new ArgumentException($"{typeof(T).Name} does not serialize to a JSON object.", nameof(body));
            using var writer = new Utf8JsonWriter(buffer);
            writer.WriteStartObject();
            writer.WriteString("id", id);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var value = source[start..(int)reader.BytesConsumed];
                if (name == "id")
                {
                    if (reader.TokenType != JsonTokenType.String || reader.GetString() != id)
                        throw IdDiffers(Encoding.UTF8.GetString(value), id);
                    continue;
                }
                ThrowIfReserved(name);
                writer.WritePropertyName(name);
                writer.WriteRawValue(value, skipInputValidation: true);
            }
            EndBody(writer, extra);
        }
        finally
        {
            Json.ScratchBuffer.Return(own);
        }
    }

    private static ArgumentException IdDiffers(string bodyId, string id) =>
        new($"The body's 'id' ({bodyId}) differs from the document id '{id}'.", "body");

    private static void ThrowIfReserved(string name)
    {
        if (IsReserved(name)) throw new ArgumentException($"The body uses the reserved property '{name}'.", "body");
    }

    /// <summary>The adapter's own properties after the body's, and the end of the document.</summary>
    private static void EndBody(Utf8JsonWriter writer, ReadOnlySpan<(string Name, JsonNode Value)> extra)
    {
        foreach (var (name, value) in extra)
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }
        writer.WriteEndObject();
    }

    public static void EnsureSize(string json, string id)
    {
        if (json.Length > MaxDocumentBytes / 4 && Encoding.UTF8.GetByteCount(json) > MaxDocumentBytes) throw TooLarge(id);
    }

    public static void EnsureSize(ReadOnlySpan<byte> utf8Json, string id)
    {
        if (utf8Json.Length > MaxDocumentBytes) throw TooLarge(id);
    }

    private static StorageException TooLarge(string id) =>
        new(StorageErrorKind.TooLarge, $"Document '{id}' is larger than the 2 MB item limit.");

    public static void ValidateQuery(DocumentQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.PageSize is < 1 or > MaxPageSize)
            throw new ArgumentOutOfRangeException(nameof(query), query.PageSize, $"PageSize must be between 1 and {MaxPageSize}.");
        if (query.OrderBy is not null) JsonPointer.Parse(query.OrderBy);
    }

    /// <summary>Whole seconds, at least one, as Cosmos DB counts TTL.</summary>
    public static int? TtlSeconds(DocumentOptions? options)
    {
        if (options?.TimeToLive is not { } ttl) return null;
        if (ttl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), ttl, "TimeToLive must be positive.");
        return (int)Math.Min(int.MaxValue, Math.Ceiling(ttl.TotalSeconds));
    }
}
