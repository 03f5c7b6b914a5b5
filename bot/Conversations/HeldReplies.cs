using System.Text.Json.Nodes;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Conversations;

/// <summary>
/// The responder of a turn whose messages wait until its state is stored: each send, update and theme change is kept
/// in order and goes out on <see cref="ReleaseAsync"/>, or never, when the turn has to run again.
/// </summary>
/// <remarks>A held send has no message id yet, so it answers null: only routes that keep no id run this way.</remarks>
internal sealed class HeldReplies(ITurnResponder inner) : ITurnResponder
{
    private readonly List<Func<CancellationToken, Task>> _held = [];

    public Task<string?> SendAsync(UiMessage message, CancellationToken ct = default)
    {
        _held.Add(c => inner.SendAsync(message, c));
        return Task.FromResult<string?>(null);
    }

    public Task<string?> UpdateAsync(string messageId, UiMessage message, CancellationToken ct = default)
    {
        _held.Add(c => inner.UpdateAsync(messageId, message, c));
        return Task.FromResult<string?>(null);
    }

    public Task ApplyThemeAsync(string theme, CancellationToken ct = default)
    {
        _held.Add(c => inner.ApplyThemeAsync(theme, c));
        return Task.CompletedTask;
    }

    public JsonObject ConversationAddress => inner.ConversationAddress;

    public Task<bool> RedactInputAsync(CancellationToken ct = default) => inner.RedactInputAsync(ct);

    public bool ShowsSecretsPrivately => inner.ShowsSecretsPrivately;

    /// <summary>Sends what was held, in the order the turn sent it.</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        foreach (var send in _held) await send(ct);
        _held.Clear();
    }
}
