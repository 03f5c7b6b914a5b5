using PartnerBot.Api.Identity;
using PartnerBot.Api.Support;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Bot.Features.Admin;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Support;

/// <summary>
/// Support requests, forwarded to the support staff's Slack and/or Teams channel, answered from there.
///
/// | Chat command      | Card verbs                                   | Who                | Dialog            |
/// |-------------------|----------------------------------------------|--------------------|-------------------|
/// | support, contact  | support, form.* (in dialog)                  | everyone           | support.request   |
/// | tickets           | support.tickets, support.show                | own / staff: all   | support.tickets   |
/// |                   | support.claim, support.resolve, support.close| support role       | support.action    |
/// |                   | support.deployments                          | support role       | support.action    |
/// |                   | support.reply (form: reply text)             | support role       | support.reply     |
/// |                   | support.answer (form: answer text)           | the requester      | support.answer    |
/// Card data of every ticket verb: <c>{ticketId}</c>. Who may do what: <see cref="Permissions"/>.
/// HTTP: <c>GET /api/tickets</c>, <c>GET /api/users</c> (<see cref="SupportApiRoutes"/>).
/// Forwards, relays and status notices are delivered by <see cref="SupportDeliveryWorker"/> from the ticket's pending list.
/// </summary>
public static class SupportRoutes
{
    public const string Claim = "support.claim";
    public const string Reply = "support.reply";
    public const string Resolve = "support.resolve";
    public const string Close = "support.close";
    public const string Answer = "support.answer";
    public const string Show = "support.show";
    public const string Tickets = "support.tickets";
    public const string CustomerDeployments = "support.deployments";

    public static IServiceCollection AddSupportChat(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPartnerBotSupport(configuration);
        services.AddSingleton(new ChatRoute(CardVerbs.Support, "Contact support", SupportRequestDialog.DialogId, ["contact", "ticket"]));
        services.AddSingleton(new ChatRoute(Tickets, "Support tickets", TicketListDialog.DialogId, ["tickets"]));
        services.AddSingleton(new ChatRoute(Show, "Support ticket", TicketListDialog.DialogId));
        foreach (var verb in new[] { Claim, Resolve, Close, CustomerDeployments })
            services.AddSingleton(new ChatRoute(verb, "Support ticket", TicketActionDialog.DialogId));
        services.AddSingleton(new ChatRoute(Reply, "Reply to a customer", TicketMessageDialog.StaffDialogId));
        services.AddSingleton(new ChatRoute(Answer, "Reply to support", TicketMessageDialog.CustomerDialogId));
        services.AddSingleton<Dialog, SupportRequestDialog>();
        services.AddSingleton<Dialog, TicketListDialog>();
        services.AddSingleton<Dialog, TicketActionDialog>();
        services.AddSingleton<Dialog>(sp => ActivatorUtilities.CreateInstance<TicketMessageDialog>(sp, true));
        services.AddSingleton<Dialog>(sp => ActivatorUtilities.CreateInstance<TicketMessageDialog>(sp, false));
        services.AddSingleton<StaffChannels>();
        services.AddChatIdentityEmails();
        services.AddSingleton<SupportDeliveryWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<SupportDeliveryWorker>());
        return services;
    }
}
