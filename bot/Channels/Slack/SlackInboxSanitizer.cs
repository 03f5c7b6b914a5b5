using System.Text.Json.Nodes;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.AdaptiveCards;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>
/// What the Slack inbox keeps of an input: only the fields <see cref="SlackTurnMapper"/> reads (no verification token,
/// response URL, message blocks or the state of a closed modal), without the values of a form's secret inputs, and with
/// every string passed through the input guards' masking, as the Direct Line transcript is. The worker's turn runs from
/// this copy, so a token typed into a message reaches the turn only as its hint (<c>ghp_…abcd</c>).
/// </summary>
public sealed class SlackInboxSanitizer(IEnumerable<IInputGuard> guards)
{
    private readonly IReadOnlyList<IInputGuard> _guards = guards.ToList();

    public JsonObject ForStorage(string kind, JsonObject payload)
    {
        var kept = kind switch
        {
            SlackInboxKinds.Event => Event(payload),
            SlackInboxKinds.BlockActions => BlockActions(payload),
            SlackInboxKinds.ViewClosed => ViewClosed(payload),
            SlackInboxKinds.SlashCommand => Pick(payload, "command", "text", "team_id", "user_id", "channel_id", "trigger_id"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "The Slack inbox stores no input of this kind."),
        };
        return InputMasking.MaskedCopy(_guards, kept) as JsonObject ?? kept;
    }

    private static JsonObject Event(JsonObject envelope)
    {
        var kept = Pick(envelope, "type", "team_id", "event_id", "event_time", "authed_users");
        if (envelope["authorizations"] is JsonArray authorizations)
            kept["authorizations"] = new JsonArray(authorizations.Select(a => (JsonNode)Pick(a, "user_id")).ToArray());
        kept["event"] = Pick(envelope["event"], "type", "subtype", "channel_type", "bot_id", "team", "user", "channel", "text", "ts", "thread_ts", "event_ts");
        return kept;
    }

    private static JsonObject BlockActions(JsonObject payload)
    {
        var kept = Pick(payload, "type", "trigger_id");
        AddPicked(kept, payload, "team", "id");
        AddPicked(kept, payload, "user", "id", "team_id");
        AddPicked(kept, payload, "container", "type", "view_id", "channel_id", "message_ts", "is_ephemeral");
        AddPicked(kept, payload, "channel", "id");
        AddPicked(kept, payload, "message", "ts", "thread_ts");
        if (payload["actions"] is JsonArray actions)
        {
            kept["actions"] = new JsonArray(actions.Select(a =>
            {
                var action = Pick(a, "type", "action_id", "block_id", "value", "url", "action_ts", "selected_date", "selected_user");
                if (a is JsonObject source) AddPicked(action, source, "selected_option", "value");
                return (JsonNode)action;
            }).ToArray());
        }
        if (payload["view"] is JsonObject view)
        {
            // A button inside a modal carries what was typed so far; the secret inputs' values are left out.
            var keptView = Pick(view, "id", "hash", "private_metadata");
            if (view["state"]?["values"] is JsonObject values)
                keptView["state"] = new JsonObject { ["values"] = WithoutSecretInputs(values, SecretInputKeys(view)) };
            kept["view"] = keptView;
        }
        return kept;
    }

    /// <summary>A closed modal becomes <c>form.cancel</c>: what was typed into it is not needed, so none of it is kept.</summary>
    private static JsonObject ViewClosed(JsonObject payload)
    {
        var kept = Pick(payload, "type", "trigger_id");
        AddPicked(kept, payload, "team", "id");
        AddPicked(kept, payload, "user", "id", "team_id");
        AddPicked(kept, payload, "view", "id", "hash", "private_metadata");
        return kept;
    }

    /// <summary>The secret input keys the modal's form step names in its metadata (as a form press names them on every channel).</summary>
    private static IReadOnlySet<string> SecretInputKeys(JsonObject view) =>
        InputMasking.SecretInputKeys(SlackViewMetadata.TryParse(SlackTurnMapper.Str(view, "private_metadata"))?.Data);

    /// <summary><c>view.state.values</c> with each secret input reduced to its element type, as if nothing was typed.</summary>
    private static JsonObject WithoutSecretInputs(JsonObject values, IReadOnlySet<string> secretKeys)
    {
        var kept = new JsonObject();
        foreach (var (blockId, blockNode) in values)
        {
            if (blockNode is not JsonObject block) continue;
            var keptBlock = new JsonObject();
            foreach (var (actionId, element) in block)
                keptBlock[actionId] = secretKeys.Contains(AdaptiveCardRenderer.InputKey(actionId))
                    ? new JsonObject { ["type"] = element?["type"]?.DeepClone() }
                    : element?.DeepClone();
            kept[blockId] = keptBlock;
        }
        return kept;
    }

    private static void AddPicked(JsonObject target, JsonObject source, string property, params string[] names)
    {
        if (source[property] is JsonObject value) target[property] = Pick(value, names);
    }

    private static JsonObject Pick(JsonNode? source, params string[] names)
    {
        var kept = new JsonObject();
        if (source is not JsonObject obj) return kept;
        foreach (var name in names)
            if (obj.TryGetPropertyValue(name, out var value)) kept[name] = value?.DeepClone();
        return kept;
    }
}
