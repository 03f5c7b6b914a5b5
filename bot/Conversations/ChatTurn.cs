using System.Text.Json.Nodes;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Conversations;

/// <summary>Who wrote, as the channel knows them.</summary>
/// <param name="Channel">The channel id: <c>msteams</c>, <c>slack</c> or <c>directline</c>.</param>
/// <param name="UserId">The channel's user id (Teams: AAD object id when present, else the 29: id; Slack: team:user).</param>
/// <param name="Email">Set only when the channel vouches for it within this installation (Teams: a user of
/// <c>MicrosoftAppTenantId</c>; Slack: a member of the installed workspace), since it links users and applies <c>Admins:Emails</c>.</param>
public sealed record ChatIdentity(string Channel, string UserId, string? DisplayName, string? Email = null, string? TenantId = null);

public enum TurnKind { Message, CardAction, ConversationStart }

/// <summary>
/// One inbound turn in channel-neutral terms. Channel adapters build it; dialogs never see the channel's payload.
/// </summary>
/// <param name="ConversationKey">Unique across channels, e.g. <c>directline:abc</c>, <c>msteams:a:1x...</c>, <c>slack:T1:D2</c>.</param>
/// <param name="ActivityId">The channel's id for this input; a redelivered input with the same id is processed once.</param>
/// <param name="Verb">The card action's verb (button), or null for typed text.</param>
/// <param name="Data">The card action's data merged with input values keyed by input id.</param>
/// <param name="IsGroupConversation">Several people share the conversation (a channel, a group chat): each has their own dialog state.</param>
/// <param name="Thread">The thread inside the conversation, where a channel keeps threads under one conversation id (Slack).</param>
public sealed record IncomingTurn(
    string Channel,
    string ConversationKey,
    ChatIdentity From,
    string ActivityId,
    TurnKind Kind,
    string? Text = null,
    string? Verb = null,
    JsonObject? Data = null,
    bool IsGroupConversation = false,
    string? Thread = null);

/// <summary>
/// How the bot answers within a turn. Each channel implements it: Web Chat posts new activities, Teams uses the
/// Connector (and invoke responses for Action.Execute), Slack uses the Web API (and modals for forms).
/// </summary>
public interface ITurnResponder
{
    /// <summary>Sends a message into the conversation and returns the channel's message id (when it has one).</summary>
    Task<string?> SendAsync(UiMessage message, CancellationToken ct = default);

    /// <summary>Replaces a message sent earlier; channels that cannot edit send a new message instead.</summary>
    Task<string?> UpdateAsync(string messageId, UiMessage message, CancellationToken ct = default);

    /// <summary>An opaque, channel-specific address of this conversation for later proactive messages.</summary>
    JsonObject ConversationAddress { get; }

    /// <summary>Applies the user's light/dark preference where the channel's client follows the bot (Web Chat);
    /// clients that draw their own theme (Teams, Slack) ignore it.</summary>
    Task ApplyThemeAsync(string theme, CancellationToken ct = default) => Task.CompletedTask;

    /// <summary>Removes this turn's input (e.g. a pasted secret) from the channel's stored history where the channel
    /// allows it; false when it cannot.</summary>
    Task<bool> RedactInputAsync(CancellationToken ct = default) => Task.FromResult(false);

    /// <summary>True when a message holding a <see cref="UiSecretValue"/> reaches only this turn's user, and the
    /// channel keeps it out of the history it stores; dialogs show secrets only then.</summary>
    bool ShowsSecretsPrivately => false;
}

/// <summary>Sends into a conversation outside of a turn (deployment status, support relays).</summary>
public interface IProactiveChannel
{
    /// <summary>The channel id this sender serves (<see cref="ChatIdentity.Channel"/>).</summary>
    string Channel { get; }

    /// <summary>
    /// Sends <paramref name="message"/> to the conversation at <paramref name="address"/>; when
    /// <paramref name="updateMessageId"/> is given and the channel can edit, updates that message in place.
    /// Returns the id of the message now showing the content.
    /// </summary>
    Task<string?> SendAsync(JsonObject address, UiMessage message, string? updateMessageId, CancellationToken ct = default);
}

/// <summary>The bot's brain: every channel hands its turns here.</summary>
public interface IChatBot
{
    Task OnTurnAsync(IncomingTurn turn, ITurnResponder responder, CancellationToken ct = default);
}
