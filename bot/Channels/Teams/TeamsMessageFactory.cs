using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerBot.Bot.Channels.BotFramework;
using PartnerBot.Cards;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>Builds the outbound Bot Framework activity for a channel-neutral message.</summary>
public sealed class TeamsMessageFactory(ITeamsCardRenderer renderer)
{
    /// <summary>A message that is one block of text and no buttons is sent as text; anything else as an Adaptive Card.</summary>
    public static bool IsPlainText(UiMessage message, out string text)
    {
        text = message.Body is [UiText { Tone: UiTextTone.Default } only] && message.Actions.Count == 0 ? only.Markdown : "";
        return text.Length > 0;
    }

    /// <summary>Cards of <see cref="UiMessage.Reused"/> messages, as JSON: immutable, so every send and thread shares one.</summary>
    private readonly ConditionalWeakTable<UiMessage, RenderedCard> _reused = new();

    private sealed record RenderedCard(JsonElement Json);

    /// <summary>
    /// The card for <paramref name="message"/>, a new node the caller may change or attach. A reused message is rendered
    /// once; each call wraps that JSON in its own node, which writes it as it is until someone changes it.
    /// </summary>
    public JsonObject RenderCard(UiMessage message)
    {
        if (!message.Reused) return renderer.Render(message);
        var rendered = _reused.GetValue(message, m => new RenderedCard(CardJson.ToElement(renderer.Render(m))));
        return JsonObject.Create(rendered.Json)!;
    }

    public Activity Create(UiMessage message, ConversationReference reference)
    {
        var activity = new Activity
        {
            Type = ActivityTypes.Message,
            From = reference.Bot is { } bot ? new ChannelAccount { Id = bot.Id, Name = bot.Name } : null,
            Recipient = reference.User is { } user ? new ChannelAccount { Id = user.Id, Name = user.Name, AadObjectId = user.AadObjectId } : null,
            Conversation = reference.Conversation,
            ChannelId = reference.ChannelId,
            ServiceUrl = reference.ServiceUrl,
            Locale = reference.Locale,
        };
        if (IsPlainText(message, out var text))
        {
            activity.Text = text;
            activity.TextFormat = "markdown";
        }
        else
        {
            activity.Summary = message.Summary;
            activity.AttachmentLayout = "list";
            activity.Attachments = [CardAttachment(RenderCard(message))];
        }
        return activity;
    }

    public static Attachment CardAttachment(JsonObject card) =>
        new() { ContentType = TeamsRoutes.AdaptiveCardContentType, Content = card };
}
