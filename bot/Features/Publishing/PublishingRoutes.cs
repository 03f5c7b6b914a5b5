using PartnerBot.Api.Identity;
using PartnerBot.Api.Publishing;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bot.Features.Publishing;

/// <summary>
/// Partner modules from GitHub in the chat. Every turn passes <see cref="GitHubTokenGuard"/> first: a token pasted
/// anywhere but the masked field is refused. The platform repository and every partner repository are also synced on
/// a schedule (<see cref="ScheduledModuleSync"/>).
/// </summary>
public sealed class PublishingRoutes : IChatFeature
{
    public const string GitHub = "github";
    public const string Repositories = "github.repos";
    public const string SearchRepositories = "github.search";
    public const string Publish = "publish";
    public const string Sync = "sync";

    public int Order => 20;

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddPartnerBotPublishing(configuration);
        services.AddSingleton<Dialog, GitHubSettingsDialog>();
        services.AddSingleton<Dialog, PublishDialog>();
        services.AddSingleton<Dialog, SyncDialog>();
        services.AddSingleton<IInputGuard, GitHubTokenGuard>();
    }

    public void MapRoutes(ChatRouteBuilder routes)
    {
        routes.Dialog<PublishDialog>(PublishDialog.DialogId, Roles.Partner)
            .Command(Publish, d => d.StartAsync, new("publish [new|changed]", "Publish or update modules from your GitHub repository (all new, or all changed, at once)"),
                menu: "Publish modules");
        routes.Dialog<GitHubSettingsDialog>(GitHubSettingsDialog.DialogId, Roles.Partner)
            .Command(GitHub, d => d.StartAsync, new("github", "Connect your GitHub repository with a personal access token"), menu: "GitHub settings")
            .Verb(Repositories, d => d.RepositoriesAsync)
            .Verb(SearchRepositories, d => d.RepositoriesAsync);
        routes.Dialog<SyncDialog>(SyncDialog.DialogId, Roles.Partner)
            .Command(Sync, d => d.StartAsync, new("sync [platform]", "Sync your modules with your repository now (admins: sync platform)"));
    }
}
