using System.Text.Json.Nodes;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Conversations;

/// <summary>
/// The responder of a turn in a shared conversation: every button it sends names the person whose turn it is, so a
/// click by someone else is recognised (see <see cref="UiActionOwner"/>).
/// </summary>
internal sealed class OwnedTurnResponder(ITurnResponder inner, UiActionOwner owner) : ITurnResponder
{
    public Task<string?> SendAsync(UiMessage message, CancellationToken ct = default) => inner.SendAsync(owner.Stamp(message), ct);

    public Task<string?> UpdateAsync(string messageId, UiMessage message, CancellationToken ct = default) =>
        inner.UpdateAsync(messageId, owner.Stamp(message), ct);

    public JsonObject ConversationAddress => inner.ConversationAddress;

    public Task ApplyThemeAsync(string theme, CancellationToken ct = default) => inner.ApplyThemeAsync(theme, ct);

    public Task<bool> RedactInputAsync(CancellationToken ct = default) => inner.RedactInputAsync(ct);

    public bool ShowsSecretsPrivately => inner.ShowsSecretsPrivately;
}
