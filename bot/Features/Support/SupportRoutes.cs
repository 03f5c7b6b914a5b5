using PartnerBot.Api.Identity;
using PartnerBot.Api.Support;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Bot.Features.Admin;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Support;

/// <summary>
/// Support requests, forwarded to the support staff's Slack and/or Teams channel, answered from there. Card data of
/// every ticket verb: <c>{ticketId}</c>. Who may do what: <see cref="Permissions"/>. HTTP: <c>GET /api/tickets</c>,
/// <c>GET /api/users</c> (<see cref="SupportApiRoutes"/>). Forwards, relays and status notices are delivered by
/// <see cref="SupportDeliveryWorker"/> from the ticket's pending list.
/// </summary>
public sealed class SupportRoutes : IChatFeature
{
    public const string Support = CardVerbs.Support;
    public const string Claim = "support.claim";
    public const string Reply = "support.reply";
    public const string Resolve = "support.resolve";
    public const string Close = "support.close";
    public const string Answer = "support.answer";
    public const string Show = "support.show";
    public const string Tickets = "support.tickets";
    public const string CustomerDeployments = "support.deployments";

    public int Order => 60;

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddPartnerBotSupport(configuration);
        services.AddSingleton<Dialog, SupportRequestDialog>();
        services.AddSingleton<Dialog, TicketListDialog>();
        services.AddSingleton<Dialog, TicketActionDialog>();
        services.AddSingleton<Dialog>(sp => ActivatorUtilities.CreateInstance<TicketMessageDialog>(sp, true));
        services.AddSingleton<Dialog>(sp => ActivatorUtilities.CreateInstance<TicketMessageDialog>(sp, false));
        services.AddSingleton<StaffChannels>();
        services.AddChatIdentityEmails();
        services.AddSingleton<SupportDeliveryWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<SupportDeliveryWorker>());
    }

    public void MapRoutes(ChatRouteBuilder routes)
    {
        routes.Dialog<SupportRequestDialog>(SupportRequestDialog.DialogId)
            .Command(Support, d => d.StartAsync, new("support", "Ask the support team for help; their answers come back here"),
                ["contact", "ticket"], menu: "Contact support");
        routes.Dialog<TicketListDialog>(TicketListDialog.DialogId)
            .Command("tickets", d => d.ListAsync, new("tickets", "Your support requests (support staff: the open queue)"))
            .Verb(Tickets, d => d.ListAsync)
            .Verb(Show, d => d.ShowAsync);
        // Staff actions on forwarded requests; each checks the support role itself, and says so when it is missing.
        routes.Dialog<TicketActionDialog>(TicketActionDialog.DialogId)
            .Verb(Claim, d => d.ClaimAsync)
            .Verb(Resolve, d => d.ResolveAsync)
            .Verb(Close, d => d.CloseAsync)
            .Verb(CustomerDeployments, d => d.CustomerDeploymentsAsync);
        routes.Dialog<TicketMessageDialog>(TicketMessageDialog.StaffDialogId).Verb(Reply, d => d.StartAsync);
        routes.Dialog<TicketMessageDialog>(TicketMessageDialog.CustomerDialogId).Verb(Answer, d => d.StartAsync);
    }
}
