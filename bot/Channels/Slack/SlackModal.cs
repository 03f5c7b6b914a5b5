using System.Text.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>A form step rendered as a modal view, with the form and step it shows.</summary>
/// <param name="Errors">Validation messages keyed by input id (= the input's <c>block_id</c>); empty when shown fresh.</param>
public sealed record SlackModal(JsonObject View, string FormKey, int StepIndex, IReadOnlyDictionary<string, string> Errors);

/// <summary>
/// What the channel keeps in a modal's <c>private_metadata</c> (≤ 3000 chars): the conversation the form belongs to and
/// the card action its submission becomes. <c>formId</c> and <c>step</c> keep the names the cards library reads.
/// </summary>
public sealed record SlackViewMetadata(string TeamId, string ChannelId, string? ThreadTs, bool Ephemeral,
    string FormKey, int StepIndex, string Verb, JsonObject? Data)
{
    public const int MaxLength = 3000;

    public string Serialize()
    {
        var json = new JsonObject
        {
            ["formId"] = FormKey, ["step"] = StepIndex, ["t"] = TeamId, ["c"] = ChannelId, ["v"] = Verb,
        };
        if (ThreadTs is not null) json["th"] = ThreadTs;
        if (Ephemeral) json["e"] = true;
        if (Data is not null) json["d"] = Data.DeepClone();
        var text = json.ToJsonString();
        if (text.Length > MaxLength)
            throw new InvalidOperationException($"The form's data is too large for a Slack modal ({text.Length} > {MaxLength} chars of private_metadata).");
        return text;
    }

    public static SlackViewMetadata? TryParse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            if (JsonNode.Parse(text) is not JsonObject json) return null;
            var team = json["t"]?.GetValue<string>();
            var channel = json["c"]?.GetValue<string>();
            var verb = json["v"]?.GetValue<string>();
            if (team is null || channel is null || verb is null) return null;
            return new SlackViewMetadata(team, channel, json["th"]?.GetValue<string>(), json["e"]?.GetValue<bool>() ?? false,
                json["formId"]?.GetValue<string>() ?? "", json["step"]?.GetValue<int>() ?? 0, verb, json["d"] as JsonObject);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
