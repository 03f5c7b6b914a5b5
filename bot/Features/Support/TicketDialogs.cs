using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Support;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Support;

/// <summary>Reads the ticket a card action names, answering plainly when there is none.</summary>
internal static class TicketLookup
{
    public static string? TicketId(ChatRouteContext route) => (string?)route.Data["ticketId"] is { Length: > 0 } id ? id : null;

    public static async Task<SupportTicket?> FindAsync(DialogContext dc, TicketStore tickets, string? ticketId, CancellationToken ct)
    {
        var ticket = ticketId is null ? null : await tickets.FindByIdAsync(ticketId, ct);
        if (ticket is null) await dc.Turn.SendTextAsync("That support ticket does not exist (any more).", ct);
        return ticket;
    }

    public static Task NotAllowedAsync(DialogContext dc, CancellationToken ct) =>
        dc.Turn.SendTextAsync("Only the support team can do that. Ask an admin for the *support* role if you need it.", ct);
}

/// <summary><c>tickets</c>: your own requests; support staff see the open queue. <c>support.show</c>: one ticket.</summary>
public sealed class TicketListDialog(TicketStore tickets) : Dialog(DialogId)
{
    public const string DialogId = "support.tickets";

    public async Task<DialogTurnResult> ShowAsync(ChatRouteContext route, CancellationToken ct)
    {
        var dc = route.Dialog;
        var actor = Actor.Of(dc.Turn.User);
        var ticket = await TicketLookup.FindAsync(dc, tickets, TicketLookup.TicketId(route), ct);
        if (ticket is not null)
        {
            if (Permissions.CanReadTicket(actor, ticket.RequesterId))
                await dc.Turn.SendAsync(SupportCards.TicketDetail(ticket, staff: actor.UserId != ticket.RequesterId), ct);
            else
                await dc.Turn.SendTextAsync("That ticket is not yours, so I cannot show it.", ct);
        }
        return await dc.EndDialogAsync(ct);
    }

    public async Task<DialogTurnResult> ListAsync(ChatRouteContext route, CancellationToken ct)
    {
        var dc = route.Dialog;
        var actor = Actor.Of(dc.Turn.User);
        var staff = Permissions.CanHandleTickets(actor);
        var list = staff
            ? (await tickets.ListAllAsync(TicketStatus.New, null, 25, ct)).Items
                .Concat((await tickets.ListAllAsync(TicketStatus.InProgress, null, 25, ct)).Items).ToList()
            : (await tickets.ListForRequesterAsync(actor.UserId, null, 25, ct)).Items;
        await dc.Turn.SendAsync(SupportCards.TicketList(list, staff), ct);
        return await dc.EndDialogAsync(ct);
    }
}

/// <summary>Staff actions from the forwarded card: claim, resolve, close, and the customer's deployments.</summary>
public sealed class TicketActionDialog(TicketStore tickets, IDeploymentService deployments, AuditLog audit, ILogger<TicketActionDialog> log)
    : Dialog(DialogId)
{
    public const string DialogId = "support.action";

    public Task<DialogTurnResult> ClaimAsync(ChatRouteContext route, CancellationToken ct) => WithTicketAsync(route, (ticket, user) =>
        ReportAsync(route.Dialog, tickets.ClaimAsync(ticket, user.Id, user.DisplayName, ct), "claimed", ct), ct);

    public Task<DialogTurnResult> ResolveAsync(ChatRouteContext route, CancellationToken ct) => WithTicketAsync(route, (ticket, user) =>
        ReportAsync(route.Dialog, tickets.SetStatusAsync(ticket, TicketStatus.Resolved, user.Id, user.DisplayName, ct), "resolved", ct), ct);

    public Task<DialogTurnResult> CloseAsync(ChatRouteContext route, CancellationToken ct) => WithTicketAsync(route, (ticket, user) =>
        ReportAsync(route.Dialog, tickets.SetStatusAsync(ticket, TicketStatus.Closed, user.Id, user.DisplayName, ct), "closed", ct), ct);

    public Task<DialogTurnResult> CustomerDeploymentsAsync(ChatRouteContext route, CancellationToken ct) => WithTicketAsync(route, (ticket, user) =>
        ShowDeploymentsAsync(route.Dialog, Actor.Of(user), ticket, ct), ct);

    /// <summary>Runs a staff action on the ticket the card names; the dialog ends with the turn.</summary>
    private async Task<DialogTurnResult> WithTicketAsync(ChatRouteContext route, Func<SupportTicket, PlatformUser, Task> action, CancellationToken ct)
    {
        var dc = route.Dialog;
        if (!Permissions.CanHandleTickets(Actor.Of(dc.Turn.User)))
        {
            await TicketLookup.NotAllowedAsync(dc, ct);
            return await dc.EndDialogAsync(ct);
        }
        var ticket = await TicketLookup.FindAsync(dc, tickets, TicketLookup.TicketId(route), ct);
        if (ticket is not null) await action(ticket, dc.Turn.User);
        return await dc.EndDialogAsync(ct);
    }

    private async Task ShowDeploymentsAsync(DialogContext dc, Actor actor, SupportTicket ticket, CancellationToken ct)
    {
        var held = await tickets.ListHeldByAsync(actor.UserId, ct);
        if (!Permissions.CanSeeCustomerDeployments(actor, ticket.RequesterId, held.Select(t => t.Held)))
        {
            await dc.Turn.SendTextAsync("You can see a customer's deployments only while you hold one of their open tickets: **Claim** it first.", ct);
            return;
        }
        var list = await deployments.ListAsync(new DeploymentCaller(ticket.RequesterId, false), false, null, null, 20, ct);
        // Support staff see what and how, never the values a customer entered or got back.
        var views = list.Items.Select(d => new SupportDeploymentView(d.Id, d.ModuleName, d.State.ToString(), d.Message, d.CreatedAt, d.UpdatedAt)).ToList();
        await audit.RecordAsync(AuditLog.DeploymentsRead, actor.UserId, dc.Turn.User.DisplayName, ticket.RequesterId, ticket.Id,
            views.Select(v => v.Id).ToList(), ct);
        log.LogInformation("Support member {UserId} read the deployments of {CustomerId} for ticket {TicketId}", actor.UserId, ticket.RequesterId, ticket.Id);
        await dc.Turn.SendAsync(SupportCards.CustomerDeployments(ticket, views), ct);
    }

    private static async Task ReportAsync(DialogContext dc, Task<TicketChange> changing, string done, CancellationToken ct)
    {
        var change = await changing;
        var t = change.Ticket;
        var text = change.Outcome switch
        {
            TicketChangeOutcome.Changed => $"{UiMarkdown.Escape(dc.Turn.User.DisplayName, 100)} {done} **{UiMarkdown.Escape(t!.Subject, 150)}** ({t.Id}); the customer has been told.",
            TicketChangeOutcome.Unchanged => $"**{UiMarkdown.Escape(t!.Subject, 150)}** is already {SupportTicket.StatusText(t.Status)}.",
            TicketChangeOutcome.ClaimedByOther => $"**{UiMarkdown.Escape(t!.Subject, 150)}** is already handled by {UiMarkdown.Escape(t.AssigneeName, 100)}.",
            TicketChangeOutcome.NotOpen => $"**{UiMarkdown.Escape(t!.Subject, 150)}** is {SupportTicket.StatusText(t.Status)}; nothing changed.",
            _ => "That support ticket does not exist (any more).",
        };
        await dc.Turn.SendTextAsync(text, ct);
    }
}

/// <summary>
/// A one-field form for a message on a ticket: staff replies (<c>support.reply</c>, relayed to the customer's conversation)
/// and customer answers (<c>support.answer</c>, relayed to the staff thread). Both are appended to the ticket.
/// </summary>
public sealed class TicketMessageDialog(TicketStore tickets, bool staff) : Dialog(staff ? StaffDialogId : CustomerDialogId)
{
    public const string StaffDialogId = "support.reply";
    public const string CustomerDialogId = "support.answer";

    public async Task<DialogTurnResult> StartAsync(ChatRouteContext route, CancellationToken ct)
    {
        var dc = route.Dialog;
        var ticket = await TicketLookup.FindAsync(dc, tickets, TicketLookup.TicketId(route), ct);
        if (ticket is null || !await AllowedAsync(dc, ticket, ct)) return await dc.EndDialogAsync(ct);
        if (ticket.Status == TicketStatus.Closed)
        {
            await dc.Turn.SendTextAsync($"**{UiMarkdown.Escape(ticket.Subject, 150)}** is closed." + (staff ? "" : " Send a new request with **support**."), ct);
            return await dc.EndDialogAsync(ct);
        }
        await dc.Turn.SendAsync(new UiFormStepElement(SupportCards.MessageForm(staff, ticket), 0, new Dictionary<string, string?>(),
            new Dictionary<string, string>()).ToMessage(), ct);
        return DialogTurnResult.Waiting;
    }

    public override async Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct)
    {
        var action = dc.Turn.Verb is null ? null : AdaptiveCardForms.ReadAction(dc.Turn.Data);
        var ticketId = action is null ? null : SupportCards.TicketOfMessageForm(staff, action.FormId);
        if (action is null || ticketId is null)
        {
            await dc.Turn.SendTextAsync("Write your message in the form above, or type **cancel**.", ct);
            return DialogTurnResult.Waiting;
        }
        if (action.Verb == CardVerbs.FormCancel)
        {
            await dc.Turn.SendTextAsync("Nothing was sent.", ct);
            return await dc.EndDialogAsync(ct);
        }
        var ticket = await TicketLookup.FindAsync(dc, tickets, ticketId, ct);
        if (ticket is null || !await AllowedAsync(dc, ticket, ct)) return await dc.EndDialogAsync(ct);

        var form = SupportCards.MessageForm(staff, ticket);
        if (action.Verb == CardVerbs.FormOpen)
        {
            await dc.Turn.SendAsync(new UiFormStepElement(form, 0, new Dictionary<string, string?>(), new Dictionary<string, string>()).ToMessage(), ct);
            return DialogTurnResult.Waiting;
        }
        var values = AdaptiveCardForms.ReadValues(dc.Turn.Data, form.Step(0));
        var errors = FormValues.Validate(form.Step(0), values);
        if (errors.Count > 0)
        {
            await dc.Turn.SendAsync(new UiFormStepElement(form, 0, values, errors).ToMessage(), ct);
            return DialogTurnResult.Waiting;
        }
        var text = values["text"]!.Trim();
        var user = dc.Turn.User;
        var change = staff
            ? await tickets.AddStaffReplyAsync(ticket, user.Id, user.DisplayName, text, ct)
            : await tickets.AddCustomerAnswerAsync(ticket, text, ct);
        await dc.Turn.SendTextAsync(change.Outcome == TicketChangeOutcome.Changed
            ? staff ? $"Reply sent to {UiMarkdown.Escape(ticket.RequesterName, 100)}." : "Your answer was sent to the support team."
            : "The ticket was closed meanwhile; nothing was sent.", ct);
        return await dc.EndDialogAsync(ct);
    }

    private async Task<bool> AllowedAsync(DialogContext dc, SupportTicket ticket, CancellationToken ct)
    {
        var actor = Actor.Of(dc.Turn.User);
        if (staff ? Permissions.CanHandleTickets(actor) : Permissions.CanAnswerAsRequester(actor, ticket.RequesterId)) return true;
        if (staff) await TicketLookup.NotAllowedAsync(dc, ct);
        else await dc.Turn.SendTextAsync("That ticket is not yours, so you cannot answer on it.", ct);
        return false;
    }
}
