using Microsoft.Extensions.DependencyInjection.Extensions;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Deployments;

/// <summary>
/// The deploy journey and deployment follow-up in the chat. Status cards are posted into the conversation a deployment
/// was started from by <see cref="ChatDeploymentStatusNotifier"/> (outbox → proactive message, updated in place where
/// the channel can).
/// </summary>
public sealed class DeploymentRoutes : IChatFeature
{
    public const string Deploy = "deploy";
    public const string Confirm = "deploy.confirm";
    public const string Cancel = "deploy.cancel";
    public const string Deployments = "deployments";
    public const string Show = "deployments.show";
    public const string CancelDeployment = "deployments.cancel";
    public const string Delete = "deployments.delete";
    public const string Purge = "deployments.purge";
    public const string Update = "deployments.update";
    public const string Logs = "deployments.logs";

    public int Order => 10;

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<Dialog, DeployDialog>();
        services.AddSingleton<Dialog, DeploymentsDialog>();
        services.AddSingleton<FormSecrets>();
        services.AddSingleton<DeploymentStatusCards>();
        services.Replace(ServiceDescriptor.Singleton<IDeploymentStatusNotifier, ChatDeploymentStatusNotifier>());
    }

    public void MapRoutes(ChatRouteBuilder routes)
    {
        routes.Dialog<DeployDialog>(DeployDialog.DialogId, Roles.Partner)
            .Command(Deploy, d => d.StartAsync, new("deploy [module]", "Deploy a module from the catalog"), ["create", "new"], menu: "Deploy a module")
            .Verb(CardVerbs.DeployTab, d => d.CatalogAsync)
            .Verb(CardVerbs.DeployPage, d => d.CatalogAsync)
            .Verb(CardVerbs.DeploySearch, d => d.CatalogAsync)
            .Verb(CardVerbs.DeployPick, d => d.PickAsync)
            .Verb(Confirm, d => d.ConfirmAsync)
            .Verb(Cancel, d => d.CancelAsync);
        routes.Dialog<DeploymentsDialog>(DeploymentsDialog.DialogId, Roles.Partner)
            .Command(Deployments, d => d.ListAsync, new("deployments [status]", "List your deployments (e.g. deployments failed) and manage one"),
                ["status", "list"], menu: "My deployments")
            .Verb(Show, d => d.ShowAsync)
            .Verb(CancelDeployment, d => d.CancelAsync)
            .Verb(Delete, d => d.DeleteAsync)
            .Verb(Purge, d => d.PurgeAsync)
            .Verb(Update, d => d.UpdateAsync)
            .Verb(Logs, d => d.LogsAsync);
    }
}
