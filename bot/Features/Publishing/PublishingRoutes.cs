using PartnerBot.Api.Publishing;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Publishing;

/// <summary>
/// Partner modules from GitHub in the chat.
///
/// | Chat command        | Card verbs                                                     | Dialog  | Role    |
/// |---------------------|----------------------------------------------------------------|---------|---------|
/// | github              | github, github.repos, github.search, form.* (token, repository) | github  | partner |
/// | publish             | publish, publish.new, publish.changed, form.* (module choice)  | publish | partner |
/// | sync                | sync (the partner's repository)                                | sync    | partner |
/// | sync platform       | (admins: the platform repository, <c>GitHub:PlatformRepository</c>) | sync | partner |
/// Every turn passes <see cref="GitHubTokenGuard"/> first: a token pasted anywhere but the masked field is refused.
/// The platform repository and every partner repository are also synced on a schedule (<see cref="ScheduledModuleSync"/>).
/// </summary>
public static class PublishingRoutes
{
    public const string Repositories = "github.repos";
    public const string SearchRepositories = "github.search";
    public const string PublishNew = "publish.new";
    public const string UpdateChanged = "publish.changed";
    public const string Sync = "sync";

    public static IServiceCollection AddPublishingChat(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPartnerBotPublishing(configuration);
        services.AddSingleton(new ChatRoute(CardVerbs.GitHub, "GitHub settings", GitHubSettingsDialog.DialogId, RequiredRole: "partner"));
        services.AddSingleton(new ChatRoute(CardVerbs.Publish, "Publish modules", PublishDialog.DialogId, RequiredRole: "partner"));
        services.AddSingleton(new ChatRoute(Sync, "Sync modules", SyncDialog.DialogId, RequiredRole: "partner"));
        services.AddSingleton<Dialog, GitHubSettingsDialog>();
        services.AddSingleton<Dialog, PublishDialog>();
        services.AddSingleton<Dialog, SyncDialog>();
        services.AddSingleton<IInputGuard, GitHubTokenGuard>();
        return services;
    }
}
