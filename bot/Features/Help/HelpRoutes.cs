using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Help;

/// <summary>
/// Help & guides.
///
/// | Chat command        | Card verbs                          | Dialog |
/// |---------------------|-------------------------------------|--------|
/// | guides [words]      | help, help.section, help.search     | help   |
/// Typed "help" shows the main menu (see ChatBot); the menu's "Help & guides" button opens the guides.
/// </summary>
public static class HelpRoutes
{
    public const string Section = "help.section";
    public const string Search = "help.search";

    public static IServiceCollection AddHelpChat(this IServiceCollection services)
    {
        services.AddSingleton<GuideLibrary>();
        services.AddSingleton(new ChatRoute(CardVerbs.Help, "Help & guides", HelpDialog.DialogId, ["guides", "guide", "docs"]));
        services.AddSingleton<Dialog, HelpDialog>();
        return services;
    }
}
