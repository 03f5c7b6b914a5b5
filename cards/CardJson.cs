using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerBot.Api.Json;

namespace PartnerBot.Cards;

/// <summary>How cards are written as JSON: compact, non-ASCII BMP text (accents, RTL scripts) kept as UTF-8; the writer still escapes emoji outside the BMP.</summary>
public static class CardJson
{
    public static JsonSerializerOptions Options { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = false };

    public static JsonSerializerOptions Indented { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ToJson(JsonNode node, bool indented = false) => node.ToJsonString(indented ? Indented : Options);

    /// <summary>The node as JSON that cannot change, so threads may share it: written compact, then parsed once.</summary>
    public static JsonElement ToElement(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) node.WriteTo(writer);
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>UTF-8 size of the compact JSON, the figure channel size limits are checked against.</summary>
    public static int Utf8Size(JsonNode node)
    {
        var buffer = ScratchBuffer.Rent();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) node.WriteTo(writer);
            return buffer.WrittenCount;
        }
        finally
        {
            ScratchBuffer.Return(buffer);
        }
    }
}
