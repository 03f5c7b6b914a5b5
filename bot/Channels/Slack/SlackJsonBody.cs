using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>One member of a Web API body: a string or a JSON node; a null value is left out.</summary>
public readonly record struct SlackJsonField(string Name, string? Text, JsonNode? Node)
{
    public SlackJsonField(string name, string? text) : this(name, text, null) { }

    public SlackJsonField(string name, JsonNode? node) : this(name, null, node) { }
}

/// <summary>
/// Writes Web API request bodies as UTF-8 JSON. Nodes are written in place, so a rendered message's blocks need no copy
/// to become part of a body (a <see cref="JsonNode"/> can have one parent only).
/// </summary>
public static class SlackJsonBody
{
    // A request body for an API, never embedded in HTML: only what JSON itself requires is escaped.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(ReadOnlySpan<SlackJsonField> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            foreach (var field in fields)
            {
                if (field.Text is not null) writer.WriteString(field.Name, field.Text);
                else if (field.Node is not null)
                {
                    writer.WritePropertyName(field.Name);
                    field.Node.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] WriteObject(JsonObject body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options)) body.WriteTo(writer);
        return buffer.WrittenSpan.ToArray();
    }
}
