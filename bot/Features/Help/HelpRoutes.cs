using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bot.Features.Help;

/// <summary>
/// Help & guides: the guides section by section, and a keyword search. (Typed <c>help</c> is the command list of
/// <see cref="Home.HomeRoutes"/>; the menu's "Help &amp; guides" button opens the guides.)
/// </summary>
public sealed class HelpRoutes : IChatFeature
{
    public const string Guides = "guides";
    public const string Section = "help.section";
    public const string Search = "help.search";

    /// <summary>The guides' verb on cards sent before it was renamed <see cref="Guides"/>.</summary>
    private const string OlderGuidesVerb = "help";

    public int Order => 50;

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<GuideLibrary>();
        services.AddSingleton<Dialog, HelpDialog>();
    }

    public void MapRoutes(ChatRouteBuilder routes) =>
        routes.Dialog<HelpDialog>(HelpDialog.DialogId)
            .Command(Guides, d => d.StartAsync, new("guides [words]", "Read the user, partner, agent and admin guides, or search them"),
                ["guide", "docs"], menu: "Help & guides")
            .Verb(OlderGuidesVerb, d => d.StartAsync)
            .Verb(Section, d => d.SectionAsync)
            .Verb(Search, d => d.SearchAsync);
}
