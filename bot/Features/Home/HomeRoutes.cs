using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Home;

/// <summary>The menu, help, cancel, and the theme.</summary>
public sealed class HomeRoutes : IChatFeature
{
    public const string Theme = "theme";
    public const string SetTheme = "theme.set";

    public int Order => 90;

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<HomeCommands>();
        services.AddSingleton<Dialog, ThemeDialog>();
    }

    public void MapRoutes(ChatRouteBuilder routes)
    {
        routes.Dialog<ThemeDialog>(ThemeDialog.DialogId)
            .Command(Theme, d => d.StartAsync, new("theme [light|dark]", "Switch between light and dark cards"), ["light", "dark"], menu: "Theme")
            .Verb(SetTheme, d => d.SetAsync);
        routes.Handler<HomeCommands>()
            .Command("help", h => h.HelpAsync, new("help", "Show the menu and every command you can use"), suggested: true, answersOnly: true)
            .Command("menu", h => h.MenuAsync, new("menu", "Show the menu"), ["start", "hi", "hello"], answersOnly: true)
            .Command("cancel", h => h.CancelAsync, new("cancel", "Stop what is in progress"), ["stop", "quit"], answersOnly: true)
            .Verb(CardVerbs.Menu, h => h.MenuAsync, answersOnly: true);
    }
}
