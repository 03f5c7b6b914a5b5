using PartnerBot.Bot.Conversations;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>Everything the Slack channel answers to, in one table.</summary>
public static class SlackRoutes
{
    /// <summary>The one Request URL for Events API callbacks, interactivity payloads and slash commands.</summary>
    public const string Events = "/api/slack/events";

    /// <summary>The slash command; the first word of its text is one of the chat commands of the route table.</summary>
    public const string SlashCommand = "/partnerbot";

    /// <summary>
    /// The slash commands the app registers: <see cref="SlashCommand"/>, and one per main-menu command of the route table
    /// (<c>/deploy x</c> is <c>/partnerbot deploy x</c>).
    /// </summary>
    public static IEnumerable<string> SlashCommands(ChatRouteTable routes) =>
        [SlashCommand, .. routes.Commands.Where(c => c.MenuTitle is not null).Select(c => "/" + c.Name)];

    /// <summary>
    /// The text of <paramref name="command"/> as <see cref="SlashCommand"/> would receive it (<c>/deploy x</c> → "deploy x"),
    /// or null when the command is not one of the route table's.
    /// </summary>
    public static string? AsSlashCommandText(ChatRouteTable routes, string command, string text)
    {
        if (string.Equals(command, SlashCommand, StringComparison.OrdinalIgnoreCase)) return text;
        if (command.Length < 2 || command[0] != '/') return null;
        return routes.FindCommand(command[1..]) is { Kind: RouteKind.Command } route ? (route.Name + " " + text).Trim() : null;
    }

    /// <summary>The slash command's usage hint: every command of the route table.</summary>
    public static string UsageHint(ChatRouteTable routes) => $"[{routes.UsageWords}] [args]";

    /// <summary>Whether <paramref name="word"/> (the first word of the slash command's text) is a chat command.</summary>
    public static bool IsSubcommand(ChatRouteTable routes, string word) => routes.FindCommand(word) is { Kind: RouteKind.Command };

    /// <summary>Bot events the app subscribes to.</summary>
    public static readonly IReadOnlyList<string> BotEvents = ["app_mention", "message.im"];

    /// <summary>Bot token scopes the app asks for.</summary>
    public static readonly IReadOnlyList<string> BotScopes =
        ["chat:write", "commands", "app_mentions:read", "im:history", "users:read", "users:read.email"];
}
