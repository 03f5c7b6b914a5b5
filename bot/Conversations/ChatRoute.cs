using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bot.Conversations;

/// <summary>What a route handler does with one turn: the same result a dialog returns.</summary>
public delegate Task<DialogTurnResult> RouteHandler(ChatRouteContext route, CancellationToken ct);

public enum RouteKind
{
    /// <summary>Typed text whose first word is the command (or an alias); also the slash sub-command in Slack.</summary>
    Command,

    /// <summary>A card button or form submission carrying the verb.</summary>
    Verb,
}

/// <summary>How a command is described in the help text and the channels' command menus.</summary>
/// <param name="Usage">The command as typed, with its arguments: <c>deploy [module]</c>.</param>
/// <param name="Description">One sentence: what it does.</param>
public sealed record CommandHelp(string Usage, string Description);

/// <summary>
/// One entry of the route table: a typed command or a card verb, and the handler that serves it.
/// </summary>
/// <param name="Name">The command word or the verb.</param>
/// <param name="Aliases">Other command words that mean the same (commands only).</param>
/// <param name="DialogId">
/// The dialog the handler runs in, or null for a handler outside any dialog (menu, cancel). A command always starts
/// its dialog afresh; a verb continues its dialog when that dialog is the active one and starts it otherwise.
/// </param>
/// <param name="HandlerType">The dialog type, or the service type of a handler outside dialogs.</param>
/// <param name="Bind">Gets the handler from the dialog (or service) instance.</param>
/// <param name="Role">A role the user must hold, or null for everyone; checked before the handler runs.</param>
/// <param name="Audience">Who the help text lists the command for: a role, or null for everyone.</param>
/// <param name="Help">Usage and description (commands only).</param>
/// <param name="MenuTitle">The main menu button of this command (its verb is the command's name), or null.</param>
/// <param name="Suggested">Offered in the channels' command menus (Teams) besides the main menu commands.</param>
/// <param name="Feature">The feature that registered the route, for error messages.</param>
public sealed record ChatRoute(
    RouteKind Kind,
    string Name,
    IReadOnlyList<string> Aliases,
    string? DialogId,
    Type HandlerType,
    Func<object, RouteHandler> Bind,
    string? Role,
    string? Audience,
    CommandHelp? Help,
    string? MenuTitle,
    bool Suggested,
    string Feature)
{
    /// <summary>The name and every alias.</summary>
    public IEnumerable<string> Words => Aliases.Prepend(Name);

    /// <summary>
    /// The handler only reads and sends messages: it writes nothing, calls no other service and keeps no message id.
    /// The first turn of a new conversation on such a route runs before its state is stored, with its replies held
    /// until that one write succeeded (<see cref="ChatBot"/>), so it may run twice and be sent once.
    /// </summary>
    public bool AnswersOnly { get; init; }
}
