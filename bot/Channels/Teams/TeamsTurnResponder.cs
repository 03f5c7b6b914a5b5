using System.Text.Json.Nodes;
using PartnerBot.Bot.Channels.BotFramework;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>
/// What the bot says during an invoke that Teams answers synchronously: the first card becomes the invoke response
/// (Action.Execute: it replaces the acted card for the user; task/fetch and task/submit: the dialog's content, where
/// a first text answer is shown as a message), everything else goes through the Connector.
/// </summary>
internal sealed class InvokeCapture(string? actedMessageId, bool captureText)
{
    public string? ActedMessageId { get; } = actedMessageId;
    public UiMessage? Card { get; private set; }
    public JsonObject? RenderedCard { get; private set; }
    public UiMessage? FirstText { get; private set; }
    private readonly Lock _gate = new();
    private bool _sealed;

    /// <summary>The invoke has been answered: from now on everything goes through the Connector.</summary>
    public void Seal()
    {
        lock (_gate) _sealed = true;
    }

    public bool TryCapture(UiMessage message, Func<UiMessage, JsonObject> render)
    {
        lock (_gate) return TryCaptureUnderLock(message, render);
    }

    private bool TryCaptureUnderLock(UiMessage message, Func<UiMessage, JsonObject> render)
    {
        if (_sealed || Card is not null) return false;
        if (TeamsMessageFactory.IsPlainText(message, out _))
        {
            // A dialog shows its first text; during Action.Execute text goes to the chat and is echoed as a toast.
            if (FirstText is not null) return false;
            FirstText = message;
            return captureText;
        }
        if (captureText && FirstText is not null) return false;
        Card = message;
        RenderedCard = render(message);
        return true;
    }
}

/// <summary>The Teams <see cref="ITurnResponder"/>: replies through the Connector to the activity's service URL.</summary>
internal sealed class TeamsTurnResponder(Activity incoming, ConnectorClient connector, TeamsMessageFactory messages, InvokeCapture? capture)
    : ITurnResponder
{
    private readonly ConversationReference _reference = incoming.GetConversationReference();

    public JsonObject ConversationAddress => TeamsConversationAddress.From(_reference, TeamsTurnMapper.TenantId(incoming));

    /// <summary>Only a one-to-one chat: in a group chat or channel everyone would see the card.</summary>
    public bool ShowsSecretsPrivately =>
        incoming.Conversation is { IsGroup: not true } conversation && conversation.ConversationType is null or "personal";

    public async Task<string?> SendAsync(UiMessage message, CancellationToken ct = default)
    {
        if (capture is not null && capture.TryCapture(message, messages.RenderCard))
            return capture.ActedMessageId;

        var activity = messages.Create(message, _reference);
        var serviceUrl = incoming.ServiceUrl!;
        var conversationId = incoming.Conversation!.Id!;
        var sent = string.IsNullOrEmpty(incoming.Id)
            ? await connector.SendToConversationAsync(serviceUrl, conversationId, activity, ct)
            : await connector.ReplyToActivityAsync(serviceUrl, conversationId, incoming.Id, activity, ct);
        return sent.Id;
    }

    public async Task<string?> UpdateAsync(string messageId, UiMessage message, CancellationToken ct = default)
    {
        // Replacing the card the user acted on is the Action.Execute response itself.
        if (capture?.ActedMessageId is { } acted && acted == messageId && capture.TryCapture(message, messages.RenderCard))
            return messageId;

        var activity = messages.Create(message, _reference);
        var updated = await connector.UpdateActivityAsync(incoming.ServiceUrl!, incoming.Conversation!.Id!, messageId, activity, ct);
        return updated.Id ?? messageId;
    }
}
