using PartnerBot.Api.Json;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>One member of a Web API body: a string, a JSON node or JSON already written as UTF-8; a null value is left out.</summary>
public readonly record struct SlackJsonField(string Name, string? Text, JsonNode? Node, ReadOnlyMemory<byte> Json = default)
{
    public SlackJsonField(string name, string? text) : this(name, text, null) { }

    public SlackJsonField(string name, JsonNode? node) : this(name, null, node) { }

    /// <summary>A member whose value is UTF-8 JSON written by the caller (a rendered message's blocks).</summary>
    public static SlackJsonField Raw(string name, ReadOnlyMemory<byte> json) => new(name, null, null, json);
}

/// <summary>
/// Writes Web API request bodies as UTF-8 JSON. Nodes are written in place (a <see cref="JsonNode"/> can have one parent
/// only), and a rendered message's blocks, already UTF-8 JSON, are copied in as they are.
/// </summary>
public static class SlackJsonBody
{
    // A request body for an API, never embedded in HTML: only what JSON itself requires is escaped.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(ReadOnlySpan<SlackJsonField> fields)
    {
        var buffer = ScratchBuffer.Rent();
        try
        {
            using var writer = new Utf8JsonWriter(buffer, Options);
            writer.WriteStartObject();
            foreach (var field in fields)
            {
                if (field.Text is not null) writer.WriteString(field.Name, field.Text);
                else if (field.Node is not null)
                {
                    writer.WritePropertyName(field.Name);
                    field.Node.WriteTo(writer);
                }
                else if (!field.Json.IsEmpty)
                {
                    writer.WritePropertyName(field.Name);
                    writer.WriteRawValue(field.Json.Span, skipInputValidation: true);
                }
            }
            writer.WriteEndObject();
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            ScratchBuffer.Return(buffer);
        }
    }

    public static byte[] WriteObject(JsonObject body)
    {
        var buffer = ScratchBuffer.Rent();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, Options)) body.WriteTo(writer);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            ScratchBuffer.Return(buffer);
        }
    }
}
