using Microsoft.Extensions.DependencyInjection.Extensions;
using PartnerBot.Api.Deployments;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Deployments;

/// <summary>
/// The deploy journey and deployment follow-up in the chat.
///
/// | Chat command            | Card verbs                                                     | Dialog        |
/// |-------------------------|----------------------------------------------------------------|---------------|
/// | deploy [module]         | deploy, deploy.tab, deploy.page, deploy.search, deploy.pick,   | deploy        |
/// |                         | deploy.confirm, deploy.edit, deploy.cancel, form.* (in dialog) |               |
/// | deployments [status]    | deployments, deployments.page, deployments.show,               | deployments   |
/// |                         | deployments.cancel, deployments.delete, deployments.purge,     |               |
/// |                         | deployments.update, deployments.logs                           |               |
/// Status cards are posted into the conversation a deployment was started from by
/// <see cref="ChatDeploymentStatusNotifier"/> (outbox → proactive message, updated in place where the channel can).
/// </summary>
public static class DeploymentRoutes
{
    public const string Confirm = "deploy.confirm";
    public const string Edit = "deploy.edit";
    public const string Cancel = "deploy.cancel";
    public const string ListPage = "deployments.page";
    public const string Show = "deployments.show";
    public const string CancelDeployment = "deployments.cancel";
    public const string Delete = "deployments.delete";
    public const string Purge = "deployments.purge";
    public const string Update = "deployments.update";

    public static IServiceCollection AddDeploymentChat(this IServiceCollection services)
    {
        services.AddSingleton(new ChatRoute(CardVerbs.Deploy, "Deploy a module", DeployDialog.DialogId, ["create", "new"], RequiredRole: "partner"));
        services.AddSingleton(new ChatRoute(CardVerbs.Deployments, "My deployments", DeploymentsDialog.DialogId, ["status", "list"], RequiredRole: "partner"));
        services.AddSingleton<Dialog, DeployDialog>();
        services.AddSingleton<Dialog, DeploymentsDialog>();
        services.AddSingleton<FormSecrets>();
        services.AddSingleton<DeploymentStatusCards>();
        services.Replace(ServiceDescriptor.Singleton<IDeploymentStatusNotifier, ChatDeploymentStatusNotifier>());
        return services;
    }
}
