using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Home;

/// <summary>
/// Routes of the home feature and of the areas not available yet.
///
/// | Chat verb / command | Card verbs    | Dialog          |
/// |---------------------|---------------|-----------------|
/// | menu, help (typed)  | menu          | (ChatBot)       |
/// | cancel (typed)      |               | (ChatBot)       |
/// | theme [light|dark]  | theme, theme.set | theme        |
/// </summary>
public static class HomeRoutes
{
    public static IServiceCollection AddHomeFeature(this IServiceCollection services)
    {
        services.AddSingleton(new ChatRoute(CardVerbs.Theme, "Theme", ThemeDialog.DialogId, ["dark", "light"]));
        services.AddSingleton<Dialog, ThemeDialog>();
        return services;
    }

    /// <summary>
    /// Registers an area that is announced in the menu but not available in this version: it answers so,
    /// plainly, rather than pretending.
    /// </summary>
    public static IServiceCollection AddUnavailableArea(this IServiceCollection services, string verb, string title, string whatItWillDo, params string[] aliases)
    {
        var dialogId = "unavailable." + verb;
        services.AddSingleton(new ChatRoute(verb, title, dialogId, aliases));
        services.AddSingleton<Dialog>(new UnavailableAreaDialog(dialogId, title, whatItWillDo));
        return services;
    }
}
