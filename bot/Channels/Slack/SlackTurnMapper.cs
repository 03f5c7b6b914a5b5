using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>A Slack input as a neutral turn, plus what the Slack responder needs to answer it.</summary>
/// <param name="TriggerId">Lets the responder open a modal (valid for 3 s after the user's click or command).</param>
/// <param name="ViewId">The modal the input came from, when it came from one.</param>
public sealed record SlackTurnInput(IncomingTurn Turn, SlackConversation Conversation, string? TriggerId = null,
    string? ViewId = null, SlackViewMetadata? SubmittedView = null);

/// <summary>Maps Slack events, interactivity payloads and slash commands to channel-neutral turns.</summary>
public static partial class SlackTurnMapper
{
    public const string Channel = "slack";

    /// <summary>The action_id the Block Kit renderer gives link buttons.</summary>
    public const string LinkVerb = "link";

    /// <summary>app_mention and direct messages from people become message turns; anything else is null.</summary>
    public static SlackTurnInput? FromEvent(JsonObject envelope)
    {
        if (envelope["event"] is not JsonObject ev) return null;
        var type = Str(ev, "type");
        var isMention = type == "app_mention";
        var isDirectMessage = type == "message" && Str(ev, "channel_type") == "im" && Str(ev, "subtype") is null && Str(ev, "bot_id") is null;
        if (!isMention && !isDirectMessage) return null;

        var team = Str(envelope, "team_id") ?? Str(ev, "team");
        var user = Str(ev, "user");
        var channel = Str(ev, "channel");
        if (team is null || user is null || channel is null || Str(ev, "bot_id") is not null) return null;

        var text = Str(ev, "text") ?? "";
        if (isMention) text = StripBotMentions(text, BotUserIds(envelope));
        var conversation = new SlackConversation(team, channel, user, Str(ev, "thread_ts"));
        var turn = new IncomingTurn(Channel, conversation.Key, Identity(team, user), Str(envelope, "event_id") ?? Str(ev, "ts") ?? "",
            TurnKind.Message, Text: text.Trim(), IsGroupConversation: !conversation.IsDirectMessage, Thread: conversation.ThreadTs);
        return new SlackTurnInput(turn, conversation);
    }

    /// <summary>
    /// The slash command text as a message turn (<c>/partnerbot deploy x</c> → "deploy x"; no text → "help").
    /// Replies are ephemeral outside direct messages, as Slack users expect of commands.
    /// </summary>
    public static SlackTurnInput? FromSlashCommand(SlackSlashCommand command)
    {
        var team = command.Field("team_id");
        var user = command.Field("user_id");
        var channel = command.Field("channel_id");
        if (team.Length == 0 || user.Length == 0 || channel.Length == 0) return null;
        var text = command.Text.Trim();
        if (text.Length == 0) text = "help";
        var conversation = new SlackConversation(team, channel, user);
        conversation = conversation with { Ephemeral = !conversation.IsDirectMessage };
        var triggerId = NullIfEmpty(command.Field("trigger_id"));
        var turn = new IncomingTurn(Channel, conversation.Key, Identity(team, user), triggerId ?? Guid.NewGuid().ToString("N"),
            TurnKind.Message, Text: text, IsGroupConversation: !conversation.IsDirectMessage);
        return new SlackTurnInput(turn, conversation, triggerId);
    }

    /// <summary>One card-action turn per action of a <c>block_actions</c> payload (Slack sends one per click).</summary>
    public static IEnumerable<SlackTurnInput> FromBlockActions(JsonObject payload)
    {
        var team = Str(payload["team"], "id") ?? Str(payload["user"], "team_id");
        var user = Str(payload["user"], "id");
        if (team is null || user is null || payload["actions"] is not JsonArray actions) yield break;

        var container = payload["container"] as JsonObject;
        var viewId = Str(payload["view"], "id") ?? Str(container, "view_id");
        var viewMetadata = SlackViewMetadata.TryParse(Str(payload["view"], "private_metadata"));
        var channel = Str(container, "channel_id") ?? Str(payload["channel"], "id") ?? viewMetadata?.ChannelId;
        if (channel is null) yield break;
        var ephemeral = container?["is_ephemeral"]?.GetValueKind() == JsonValueKind.True || (viewMetadata?.Ephemeral ?? false);
        var threadTs = Str(payload["message"], "thread_ts") ?? viewMetadata?.ThreadTs;
        var conversation = new SlackConversation(team, channel, user, threadTs, ephemeral);
        var triggerId = Str(payload, "trigger_id");

        foreach (var action in actions.OfType<JsonObject>())
        {
            var actionId = Str(action, "action_id");
            if (actionId is null) continue;
            var verb = VerbOf(actionId);
            // Link buttons open their URL in Slack; the click report carries nothing for the bot.
            if (verb == LinkVerb || action["url"] is not null) continue;
            var data = ParseValue(ActionValue(action));
            data[BlockKitActions.VerbKey] ??= verb;
            // A button inside a modal carries what was typed so far, as Adaptive Card actions do.
            if (payload["view"]?["state"]?["values"] is JsonObject stateValues) MergeInputs(data, stateValues);
            var turn = new IncomingTurn(Channel, conversation.Key, Identity(team, user),
                // Each click has its own trigger id; action_ts alone is only unique per message.
                triggerId ?? Str(action, "action_ts") ?? Guid.NewGuid().ToString("N"), TurnKind.CardAction,
                Verb: verb, Data: data, IsGroupConversation: !conversation.IsDirectMessage, Thread: conversation.ThreadTs);
            yield return new SlackTurnInput(turn, conversation, triggerId, viewId);
        }
    }

    /// <summary>A modal submission as the card action recorded in its metadata, with the inputs merged into its data.</summary>
    public static SlackTurnInput? FromViewSubmission(JsonObject payload) => FromView(payload, closed: false);

    /// <summary>A modal the user closed (Cancel or ×) as <c>form.cancel</c> with the form's data.</summary>
    public static SlackTurnInput? FromViewClosed(JsonObject payload) => FromView(payload, closed: true);

    private static SlackTurnInput? FromView(JsonObject payload, bool closed)
    {
        var user = Str(payload["user"], "id");
        var view = payload["view"] as JsonObject;
        var metadata = SlackViewMetadata.TryParse(Str(view, "private_metadata"));
        if (user is null || view is null || metadata is null) return null;

        var verb = closed ? CardVerbs.FormCancel : metadata.Verb;
        var data = metadata.Data?.DeepClone().AsObject() ?? new JsonObject();
        data[BlockKitActions.VerbKey] = verb;
        if (!closed && view["state"]?["values"] is JsonObject stateValues) MergeInputs(data, stateValues);

        var conversation = new SlackConversation(metadata.TeamId, metadata.ChannelId, user, metadata.ThreadTs, metadata.Ephemeral);
        var activityId = $"{Str(view, "id")}:{Str(view, "hash")}{(closed ? ":closed" : "")}";
        var turn = new IncomingTurn(Channel, conversation.Key, Identity(metadata.TeamId, user), activityId, TurnKind.CardAction,
            Verb: verb, Data: data, IsGroupConversation: !conversation.IsDirectMessage, Thread: conversation.ThreadTs);
        return new SlackTurnInput(turn, conversation, Str(payload, "trigger_id"), Str(view, "id"), metadata);
    }

    public static ChatIdentity Identity(string team, string user) => new(Channel, $"{team}:{user}", null, TenantId: team);

    /// <summary>The verb of a button: its action_id without the <c>:n</c> suffix that keeps action ids unique.</summary>
    public static string VerbOf(string actionId) => BlockKitActions.Verb(actionId);

    /// <summary>
    /// Button data is JSON text (with the verb inside, as on the other channels); a plain value becomes
    /// <c>{"value": …}</c>.
    /// </summary>
    public static JsonObject ParseValue(string? value)
    {
        if (string.IsNullOrEmpty(value)) return [];
        if (value[0] == '{')
        {
            try
            {
                if (JsonNode.Parse(value) is JsonObject json) return json;
            }
            catch (JsonException)
            {
                // Not JSON after all: kept as a plain value below.
            }
        }
        return new JsonObject { ["value"] = value };
    }

    internal static string StripBotMentions(string text, IReadOnlyCollection<string> botUserIds)
    {
        text = LeadingMention().Replace(text, "");
        foreach (var id in botUserIds) text = text.Replace($"<@{id}>", "", StringComparison.Ordinal);
        return MultipleSpaces().Replace(text, " ").Trim();
    }

    private static void MergeInputs(JsonObject data, JsonObject stateValues)
    {
        // Keyed as Adaptive Card inputs are, so an input named like an action data key (verb, formId, owner…) cannot overwrite it.
        foreach (var (inputId, text) in BlockKitForms.ReadValues(stateValues)) data[PartnerBot.Cards.AdaptiveCards.AdaptiveCardRenderer.InputKey(inputId)] = text;
    }

    private static List<string> BotUserIds(JsonObject envelope)
    {
        var ids = new List<string>();
        if (envelope["authorizations"] is JsonArray authorizations)
            ids.AddRange(authorizations.Select(a => Str(a, "user_id")).OfType<string>());
        if (envelope["authed_users"] is JsonArray authed)
            ids.AddRange(authed.Select(a => a?.GetValueKind() == JsonValueKind.String ? a.GetValue<string>() : null).OfType<string>());
        return ids;
    }

    private static string? ActionValue(JsonObject action) =>
        Str(action, "value") ?? Str(action["selected_option"], "value") ?? Str(action, "selected_date") ?? Str(action, "selected_user");

    internal static string? Str(JsonNode? node, string name) =>
        node is JsonObject obj && obj[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    [GeneratedRegex(@"^\s*(<@[A-Z0-9]+(\|[^>]*)?>\s*)+")]
    private static partial Regex LeadingMention();

    [GeneratedRegex(@"[ \t]{2,}")]
    private static partial Regex MultipleSpaces();
}
