using System.Text.Json.Nodes;
using PartnerBot.Api.Identity;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Dialogs;

/// <summary>Everything a dialog may use during one turn. Deliberately free of channel details.</summary>
public sealed class TurnContext(IncomingTurn input, ITurnResponder responder, PlatformUser user, IServiceProvider services)
{
    public IncomingTurn Input { get; } = input;
    public ITurnResponder Responder { get; } = responder;
    public PlatformUser User { get; } = user;
    public IServiceProvider Services { get; } = services;

    /// <summary>Typed text, trimmed; empty for card actions without text.</summary>
    public string Text => Input.Text?.Trim() ?? "";

    public string? Verb => Input.Verb;

    public JsonObject Data => Input.Data ?? [];

    public Task<string?> SendAsync(UiMessage message, CancellationToken ct = default) => Responder.SendAsync(message, ct);

    public Task<string?> SendTextAsync(string text, CancellationToken ct = default) => Responder.SendAsync(UiMessage.Text(text), ct);
}
