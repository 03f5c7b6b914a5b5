using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Home;

/// <summary>
/// Routes of the home feature.
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
}
