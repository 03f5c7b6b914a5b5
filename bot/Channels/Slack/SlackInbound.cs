using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>One verified request to the Slack Request URL, by kind.</summary>
public abstract record SlackInbound;

public sealed record SlackUrlVerification(string Challenge) : SlackInbound;

/// <summary>An Events API callback (<c>type: event_callback</c>); <paramref name="Envelope"/> is the whole body.</summary>
public sealed record SlackEventCallback(string EventId, JsonObject Envelope) : SlackInbound;

/// <summary>Another Events API body type (e.g. <c>app_rate_limited</c>): acknowledged, nothing to do.</summary>
public sealed record SlackOtherEvent(string Type) : SlackInbound;

/// <summary>An interactivity payload (<c>block_actions</c>, <c>view_submission</c>, <c>view_closed</c>, shortcuts…).</summary>
public sealed record SlackInteraction(string Type, JsonObject Payload) : SlackInbound;

/// <summary>A slash command; <paramref name="Fields"/> holds the form fields as strings.</summary>
public sealed record SlackSlashCommand(JsonObject Fields) : SlackInbound
{
    public string Command => Field("command");
    public string Text => Field("text");
    public string Field(string name) => Fields[name]?.GetValue<string>() ?? "";
}

/// <summary>
/// Reads the raw body of a verified request: JSON for the Events API, form-encoded <c>payload=</c> for
/// interactivity, form-encoded fields for slash commands.
/// </summary>
public static class SlackInboundParser
{
    public static bool IsForm(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for Slack's <c>ssl_check=1</c> probe, which carries no work.</summary>
    public static bool IsSslCheckSafe(string? contentType, byte[] body)
    {
        if (!IsForm(contentType)) return false;
        try
        {
            return ReadForm(body).TryGetValue("ssl_check", out var value) && value == "1";
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    public static bool TryParse(string? contentType, byte[] body, out SlackInbound? inbound, out string? error)
    {
        inbound = null;
        try
        {
            inbound = IsForm(contentType) ? ParseForm(body, out error) : ParseJson(body, out error);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or DecoderFallbackException)
        {
            error = "The body is not valid JSON or form data.";
        }
        return inbound is not null;
    }

    private static SlackInbound? ParseJson(byte[] body, out string? error)
    {
        error = null;
        if (JsonNode.Parse(body) is not JsonObject json)
        {
            error = "The body must be a JSON object.";
            return null;
        }
        var type = json["type"]?.GetValue<string>();
        switch (type)
        {
            case "url_verification":
                var challenge = json["challenge"]?.GetValue<string>();
                if (string.IsNullOrEmpty(challenge)) error = "url_verification without a challenge.";
                return challenge is null ? null : new SlackUrlVerification(challenge);
            case "event_callback":
                var eventId = json["event_id"]?.GetValue<string>();
                if (string.IsNullOrEmpty(eventId) || eventId.Length > 200 || !eventId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
                    || json["event"] is not JsonObject)
                {
                    error = "event_callback needs an event_id (letters, digits, - and _) and an event object.";
                    return null;
                }
                return new SlackEventCallback(eventId, json);
            case null or "":
                error = "The body has no type.";
                return null;
            default:
                return new SlackOtherEvent(type);
        }
    }

    private static SlackInbound? ParseForm(byte[] body, out string? error)
    {
        error = null;
        var form = ReadForm(body);
        if (form.TryGetValue("payload", out var payloadText))
        {
            if (JsonNode.Parse(payloadText) is not JsonObject payload || payload["type"]?.GetValue<string>() is not { Length: > 0 } type)
            {
                error = "The interactivity payload must be a JSON object with a type.";
                return null;
            }
            return new SlackInteraction(type, payload);
        }
        if (form.TryGetValue("command", out var command) && command.Length > 0)
        {
            var fields = new JsonObject();
            foreach (var (key, value) in form) fields[key] = value;
            return new SlackSlashCommand(fields);
        }
        error = "The form has neither a payload nor a command.";
        return null;
    }

    private static Dictionary<string, string> ReadForm(byte[] body)
    {
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        using var reader = new FormReader(text);
        return reader.ReadForm().ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
    }
}
