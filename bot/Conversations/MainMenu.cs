using PartnerBot.Api.Identity;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Conversations;

/// <summary>The main menu and the help text, both made from the route table.</summary>
public sealed class MainMenu(ChatRouteTable routes)
{
    /// <summary>The menu with the default greeting is the same on every turn: one instance, which channels render once.</summary>
    private readonly Lazy<UiMessage> _default = new(() => MainMenuCard.Build(routes.Menu) with { Reused = true });

    public UiMessage Build(string? greeting = null) => greeting is null ? _default.Value : MainMenuCard.Build(routes.Menu, greeting);

    /// <summary>The menu with every command <paramref name="user"/> can use, one line each.</summary>
    public UiMessage Help(PlatformUser user, string? greeting = null)
    {
        var lines = routes.CommandsFor(user)
            .Where(c => c.Help is not null)
            .Select(c => $"- **{c.Help!.Usage}**: {c.Help.Description}");
        return MainMenuCard.Build(routes.Menu, greeting ?? "Pick an area below, or type a command.",
            [new UiText("**Commands**\n" + string.Join("\n", lines))]);
    }
}
