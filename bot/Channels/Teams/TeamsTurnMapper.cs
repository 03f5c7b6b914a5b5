using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PartnerBot.Bot.Channels.BotFramework;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>Translates Teams activities into channel-neutral turns.</summary>
internal static partial class TeamsTurnMapper
{
    public static string ChannelOf(Activity a) => string.IsNullOrEmpty(a.ChannelId) ? TeamsRoutes.ChannelId : a.ChannelId.ToLowerInvariant();

    public static string ConversationKey(Activity a) => $"{ChannelOf(a)}:{a.Conversation?.Id}";

    public static string? TenantId(Activity a) =>
        a.Conversation?.TenantId is { Length: > 0 } t ? t
        : a.ChannelData?["tenant"]?["id"] is JsonValue v && v.TryGetValue<string>(out var id) ? id
        : null;

    public static bool IsGroup(Activity a) =>
        a.Conversation?.IsGroup == true || a.Conversation?.ConversationType is "channel" or "groupChat";

    public static ChatIdentity Identity(Activity a) => new(
        ChannelOf(a),
        a.From?.AadObjectId is { Length: > 0 } aad ? aad : a.From?.Id ?? "",
        a.From?.Name,
        TenantId: TenantId(a));

    /// <summary>Typed text or a card submit (Action.Submit / messageBack put the data in <c>value</c>).</summary>
    public static IncomingTurn FromMessage(Activity a)
    {
        if (a.Value is JsonNode value)
        {
            var data = AsObject(value);
            return Turn(a, TurnKind.CardAction, verb: VerbOf(data), data: data);
        }
        return Turn(a, TurnKind.Message, text: StripBotMention(a));
    }

    /// <summary>The bot itself was added (membersAdded contains the recipient).</summary>
    public static bool IsBotAdded(Activity a) =>
        a.Recipient?.Id is { } bot && a.MembersAdded?.Any(m => string.Equals(m.Id, bot, StringComparison.OrdinalIgnoreCase)) == true;

    public static IncomingTurn ConversationStart(Activity a) => Turn(a, TurnKind.ConversationStart);

    /// <summary><c>adaptiveCard/action</c>: verb and data (data + inputs) of the Action.Execute.</summary>
    public static IncomingTurn FromExecute(Activity a)
    {
        var action = a.Value?["action"] as JsonObject;
        var data = AsObject(action?["data"]);
        var verb = action?["verb"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : VerbOf(data);
        if (verb is not null && !data.ContainsKey("verb")) data["verb"] = verb;
        return Turn(a, TurnKind.CardAction, verb: verb, data: data);
    }

    /// <summary><c>task/fetch</c> / <c>task/submit</c>: <c>value.data</c> carries the action data and the dialog's inputs.</summary>
    public static IncomingTurn FromTask(Activity a)
    {
        var data = AsObject(a.Value?["data"]);
        // Teams' own routing key is not ours.
        if (data["msteams"] is JsonObject) data.Remove("msteams");
        return Turn(a, TurnKind.CardAction, verb: VerbOf(data), data: data);
    }

    /// <summary>Invoke without a name (Action.Submit with <c>msteams.type = invoke</c>): <c>value</c> is the data.</summary>
    public static IncomingTurn FromNamelessInvoke(Activity a)
    {
        var data = AsObject(a.Value);
        return Turn(a, TurnKind.CardAction, verb: VerbOf(data), data: data);
    }

    public static bool IsAutomaticRefresh(Activity a) =>
        a.Value?["trigger"] is JsonValue t && t.TryGetValue<string>(out var trigger) && trigger == "automatic" &&
        a.Value?["action"]?["verb"] is JsonValue v && v.TryGetValue<string>(out var verb) && verb == TeamsRoutes.RefreshVerb;

    /// <summary>Removes the bot's own <c>&lt;at&gt;Name&lt;/at&gt;</c> from the text (channels and group chats).</summary>
    public static string StripBotMention(Activity a)
    {
        var text = a.Text ?? "";
        if (a.Entities is { } entities && a.Recipient?.Id is { } botId)
        {
            foreach (var entity in entities.Where(e => e.Type == "mention" && e.Extra is not null))
            {
                var mentionedId = entity.Extra!.TryGetValue("mentioned", out var m) && m.ValueKind == JsonValueKind.Object &&
                                  m.TryGetProperty("id", out var id) ? id.GetString() : null;
                if (!string.Equals(mentionedId, botId, StringComparison.OrdinalIgnoreCase)) continue;
                var mentionText = entity.Extra.TryGetValue("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (!string.IsNullOrEmpty(mentionText)) text = text.Replace(mentionText, " ", StringComparison.OrdinalIgnoreCase);
            }
        }
        // Teams may also keep a bare tag of the bot when the entity text differs in spacing.
        if (IsGroup(a) && a.Recipient?.Name is { Length: > 0 } botName)
            text = text.Replace($"<at>{botName}</at>", " ", StringComparison.OrdinalIgnoreCase);
        return Spaces().Replace(text, " ").Trim();
    }

    private static IncomingTurn Turn(Activity a, TurnKind kind, string? text = null, string? verb = null, JsonObject? data = null) => new(
        ChannelOf(a), ConversationKey(a), Identity(a), a.Id ?? "", kind, text, verb, data, IsGroup(a));

    private static string? VerbOf(JsonObject data) =>
        data["verb"] is JsonValue v && v.TryGetValue<string>(out var verb) && verb.Length > 0 ? verb : null;

    private static JsonObject AsObject(JsonNode? node) => node switch
    {
        JsonObject o => (JsonObject)o.DeepClone(),
        null => [],
        _ => new JsonObject { ["value"] = node.DeepClone() },
    };

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex Spaces();
}
