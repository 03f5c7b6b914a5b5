using System.Text.Json.Nodes;
using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bot.Conversations;

/// <summary>What a route handler is given: the turn, the dialog it runs in, and what the user asked for.</summary>
public sealed class ChatRouteContext(DialogContext dialog, ChatRoute route, string name, string arguments, JsonObject data, bool started, bool interrupted)
{
    public DialogContext Dialog { get; } = dialog;

    public TurnContext Turn => Dialog.Turn;

    /// <summary>The route that matched.</summary>
    public ChatRoute Route { get; } = route;

    /// <summary>The command word as typed (lower case; an alias when an alias was typed), or the card verb.</summary>
    public string Name { get; } = name;

    /// <summary>The typed text after the command word; empty for card actions.</summary>
    public string Arguments { get; } = arguments;

    /// <summary>The card action's data with the form inputs merged in; empty for typed commands.</summary>
    public JsonObject Data { get; } = data;

    /// <summary>True when this turn started the route's dialog; false when it continues the dialog already open.</summary>
    public bool Started { get; } = started;

    /// <summary>True when another dialog was open and was cancelled to run this route.</summary>
    public bool Interrupted { get; } = interrupted;
}
