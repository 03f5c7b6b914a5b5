using System.Text.Json.Nodes;
using PartnerBot.Bot.Channels.BotFramework;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Channels.DirectLine;

/// <summary>Turns channel-neutral messages into Direct Line activities for the Web Chat page.</summary>
public sealed class DirectLineResponder(DirectLineConversations conversations, string conversationId, string? replyToId) : ITurnResponder
{
    public static ChannelAccount Bot { get; } = new() { Id = "partnerbot", Name = "PartnerBot", Role = "bot" };

    public JsonObject ConversationAddress => new() { ["conversationId"] = conversationId };

    public async Task<string?> SendAsync(UiMessage message, CancellationToken ct = default)
    {
        var sent = await conversations.AppendAsync(conversationId, ToActivity(message, conversationId, replyToId), ct);
        return sent.Id;
    }

    /// <summary>The page listens for this event and switches its theme.</summary>
    public Task ApplyThemeAsync(string theme, CancellationToken ct = default) =>
        conversations.AppendAsync(conversationId, new Activity
        {
            Type = ActivityTypes.Event,
            Name = DirectLineChannel.ThemeEventName,
            Value = JsonValue.Create(theme),
            From = Bot,
            Conversation = new ConversationAccount { Id = conversationId },
        }, ct);

    /// <summary>Replaces the stored user activity this turn answers (what a reconnecting page replays) with a placeholder.</summary>
    public Task<bool> RedactInputAsync(CancellationToken ct = default) =>
        replyToId is null ? Task.FromResult(false) : conversations.RedactAsync(conversationId, replyToId, ct);

    /// <summary>
    /// A new version of the message with the same id: Web Chat shows it in place of the old one. A message that is no
    /// longer stored is sent anew.
    /// </summary>
    public async Task<string?> UpdateAsync(string messageId, UiMessage message, CancellationToken ct = default)
    {
        var replaced = await conversations.ReplaceAsync(conversationId, messageId, ToActivity(message, conversationId, replyToId), ct);
        return replaced?.Id ?? await SendAsync(message, ct);
    }

    internal static Activity ToActivity(UiMessage message, string conversationId, string? replyToId)
    {
        var activity = new Activity
        {
            Type = ActivityTypes.Message,
            From = Bot,
            Conversation = new ConversationAccount { Id = conversationId },
            ReplyToId = replyToId,
            Summary = message.Summary,
        };
        if (message.Actions.Count == 0 && message.Body.All(e => e is UiText { Tone: UiTextTone.Default }))
        {
            activity.Text = string.Join("\n\n", message.Body.Cast<UiText>().Select(t => t.Markdown));
            activity.TextFormat = "markdown";
        }
        else
        {
            activity.Attachments =
            [
                new Attachment { ContentType = AdaptiveCardRenderer.ContentType, Content = AdaptiveCardRenderer.Render(message, CardHost.WebChat) },
            ];
        }
        return activity;
    }
}

/// <summary>
/// Proactive messages (deployment status, support replies) into a Web Chat conversation; an update replaces the
/// message in place (see <see cref="DirectLineConversations.ReplaceAsync"/>).
/// </summary>
public sealed class DirectLineProactiveChannel(DirectLineConversations conversations) : IProactiveChannel
{
    public string Channel => DirectLineChannel.ChannelId;

    public async Task<string?> SendAsync(JsonObject address, UiMessage message, string? updateMessageId, CancellationToken ct = default)
    {
        var conversationId = (string?)address["conversationId"] ?? throw new ArgumentException("The address has no conversationId.", nameof(address));
        var activity = DirectLineResponder.ToActivity(message, conversationId, null);
        if (updateMessageId is not null && await conversations.ReplaceAsync(conversationId, updateMessageId, activity, ct) is { } replaced)
            return replaced.Id;
        var sent = await conversations.AppendAsync(conversationId, activity, ct);
        return sent.Id;
    }
}
