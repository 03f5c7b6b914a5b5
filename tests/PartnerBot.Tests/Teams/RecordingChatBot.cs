using System.Collections.Concurrent;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;

namespace PartnerBot.Tests.Teams;

/// <summary>
/// The observation point for channel tests: records every turn and answers like a small bot would
/// (text echo, a welcome menu card, a card per card action).
/// </summary>
public sealed class RecordingChatBot : IChatBot
{
    public ConcurrentQueue<IncomingTurn> Turns { get; } = new();
    public ConcurrentQueue<System.Text.Json.Nodes.JsonObject> Addresses { get; } = new();

    /// <summary>Replaces the default answers for one test.</summary>
    public Func<IncomingTurn, ITurnResponder, CancellationToken, Task>? Behaviour { get; set; }

    public static UiMessage WelcomeMenu => new("Welcome to PartnerBot",
        [new UiHeading("Welcome to PartnerBot"), new UiText("What would you like to do?")],
        [new UiAction("Deploy", "deploy"), new UiAction("Help", "help")]);

    public static UiMessage ChoiceCard(string? verb) => new($"You chose {verb}",
        [new UiHeading($"You chose {verb}"), new UiText("Anything else?")],
        [new UiAction("Back", "menu")]);

    public async Task OnTurnAsync(IncomingTurn turn, ITurnResponder responder, CancellationToken ct = default)
    {
        Turns.Enqueue(turn);
        Addresses.Enqueue(responder.ConversationAddress);
        if (Behaviour is { } custom)
        {
            await custom(turn, responder, ct);
            return;
        }
        switch (turn.Kind)
        {
            case TurnKind.ConversationStart:
                await responder.SendAsync(WelcomeMenu, ct);
                break;
            case TurnKind.Message:
                await responder.SendAsync(UiMessage.Text($"You said: {turn.Text}"), ct);
                break;
            case TurnKind.CardAction:
                await responder.SendAsync(ChoiceCard(turn.Verb), ct);
                break;
        }
    }

    public void Reset()
    {
        Turns.Clear();
        Addresses.Clear();
        Behaviour = null;
    }
}
