using System.Text.Json.Nodes;
using PartnerBot.Api.Support;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Support;

/// <summary>The messages of the support feature (channel-neutral).</summary>
public static class SupportCards
{
    public const string RequestFormId = "support-request";
    public const string StaffReplyFormId = "support-reply";
    public const string CustomerAnswerFormId = "support-answer";
    public const string NoDeployment = "none";

    public static JsonObject Data(string ticketId) => new() { ["ticketId"] = ticketId };

    public static UiForm RequestForm(IReadOnlyList<(string Id, string Title)> deployments)
    {
        var inputs = new List<UiInput>
        {
            new("subject", UiInputKind.Text, "Subject", Required: true, MaxLength: 150, ErrorText: "Give your request a short subject."),
            new("category", UiInputKind.Choice, "Category", Required: true, DefaultValue: "Other",
                Options: TicketCategories.All.Select(c => new UiChoice(c, c)).ToList(), ErrorText: "Pick a category."),
            new("message", UiInputKind.MultiLine, "Message", Required: true, MaxLength: 4000,
                HelpText: "What happened, and what you expected.", ErrorText: "Tell us what you need."),
        };
        if (deployments.Count > 0)
            inputs.Add(new UiInput("deployment", UiInputKind.Choice, "Deployment (optional)", DefaultValue: NoDeployment,
                Options: [new UiChoice("None", NoDeployment), .. deployments.Select(d => new UiChoice(d.Title, d.Id))]));
        return new UiForm(RequestFormId, "Contact support", [new UiFormStep("request", "Your request", inputs,
            "Your request goes to the support team; their answers appear here.")]);
    }

    /// <summary>
    /// The form id names the ticket, so a submit lands on the right ticket even when several staff members open reply
    /// forms in one shared channel conversation.
    /// </summary>
    public static string MessageFormId(bool staff, string ticketId) => (staff ? StaffReplyFormId : CustomerAnswerFormId) + ":" + ticketId;

    /// <summary>The ticket a message form belongs to, or null when <paramref name="formId"/> is not such a form.</summary>
    public static string? TicketOfMessageForm(bool staff, string formId)
    {
        var prefix = (staff ? StaffReplyFormId : CustomerAnswerFormId) + ":";
        return formId.StartsWith(prefix, StringComparison.Ordinal) && formId.Length > prefix.Length ? formId[prefix.Length..] : null;
    }

    public static UiForm MessageForm(bool staff, SupportTicket ticket) => new(
        MessageFormId(staff, ticket.Id),
        staff ? $"Reply to {ticket.RequesterName}" : "Reply to support",
        [new UiFormStep("message", staff ? $"Reply on \"{ticket.Subject}\"" : $"Your answer on \"{ticket.Subject}\"",
            [new UiInput("text", UiInputKind.MultiLine, staff ? "Reply" : "Your answer", Required: true, MaxLength: 4000,
                ErrorText: "Write a message.")])]);

    /// <summary>The card forwarded to the support staff's channel, with the staff actions.</summary>
    public static UiMessage StaffCard(SupportTicket t)
    {
        var facts = new List<UiFact>
        {
            new("From", t.RequesterEmail is null ? t.RequesterName : $"{t.RequesterName} ({t.RequesterEmail})"),
            new("Category", t.Category),
            new("Status", SupportTicket.StatusText(t.Status)),
            new("Ticket", t.Id),
        };
        if (t.DeploymentId is not null) facts.Add(new UiFact("Deployment", $"{t.ModuleName} ({t.DeploymentId})"));
        var body = new List<UiElement>
        {
            new UiHeading("Support request: " + t.Subject),
            new UiFactSet(facts),
            new UiText(UiMarkdown.Escape(t.Message, 3000)),
        };
        if (t.TechnicalSupportUsers.Count > 0)
            body.Add(new UiText($"Technical support for module **{UiMarkdown.Escape(t.ModuleName, 100)}**: "
                + string.Join(", ", t.TechnicalSupportUsers.Select(u => "@" + UiMarkdown.Escape(u, 200)))));
        return new UiMessage($"Support request from {t.RequesterName}: {t.Subject}", body, StaffActions(t.Id));
    }

    public static IReadOnlyList<UiAction> StaffActions(string ticketId) =>
    [
        new("Claim", SupportRoutes.Claim, Data(ticketId), UiActionStyle.Primary),
        new("Reply", SupportRoutes.Reply, Data(ticketId)),
        new("Resolve", SupportRoutes.Resolve, Data(ticketId)),
        new("Close", SupportRoutes.Close, Data(ticketId), UiActionStyle.Destructive),
        new("Customer deployments", SupportRoutes.CustomerDeployments, Data(ticketId)),
    ];

    /// <summary>The customer's answer, relayed into the staff thread.</summary>
    public static UiMessage CustomerAnswerForStaff(SupportTicket t, TicketEntry entry) => new(
        $"{entry.AuthorName} answered on {t.Subject}",
        [new UiText($"**{UiMarkdown.Escape(entry.AuthorName, 100)}** answered on _{UiMarkdown.Escape(t.Subject, 150)}_ ({t.Id}):"),
         new UiText(UiMarkdown.Escape(entry.Text, 3000))],
        StaffActions(t.Id));

    /// <summary>A staff reply, relayed into the customer's conversation.</summary>
    public static UiMessage StaffReplyForCustomer(SupportTicket t, TicketEntry entry) => new(
        $"Support replied on {t.Subject}",
        [new UiHeading("Support replied: " + t.Subject), new UiText(UiMarkdown.Escape(entry.Text, 3000)),
         new UiText($"{UiMarkdown.Escape(entry.AuthorName, 100)}, support team", UiTextTone.Subtle)],
        [new UiAction("Reply to support", SupportRoutes.Answer, Data(t.Id), UiActionStyle.Primary),
         new UiAction("My tickets", SupportRoutes.Tickets)]);

    public static UiMessage StatusForCustomer(SupportTicket t, TicketStatus status) => new(
        $"Your support request {t.Subject} is now {SupportTicket.StatusText(status)}",
        [new UiText($"Your support request **{UiMarkdown.Escape(t.Subject, 150)}** is now **{SupportTicket.StatusText(status)}**"
            + (status == TicketStatus.InProgress && t.AssigneeName is not null ? $" ({UiMarkdown.Escape(t.AssigneeName, 100)} is on it)." : "."))],
        status == TicketStatus.Closed ? [] : [new UiAction("Reply to support", SupportRoutes.Answer, Data(t.Id))]);

    public static UiMessage TicketDetail(SupportTicket t, bool staff)
    {
        var body = new List<UiElement>
        {
            new UiHeading(t.Subject),
            new UiFactSet([new("Status", SupportTicket.StatusText(t.Status)), new("Category", t.Category), new("Ticket", t.Id),
                new("Handled by", t.AssigneeName ?? "not yet")]),
        };
        foreach (var e in t.Entries)
            body.Add(new UiText($"**{UiMarkdown.Escape(e.AuthorName, 100)}**{(e.FromStaff ? " (support)" : "")}: {UiMarkdown.Escape(e.Text, 1500)}"));
        var actions = staff ? StaffActions(t.Id) : t.Status == TicketStatus.Closed ? [] : [new UiAction("Reply to support", SupportRoutes.Answer, Data(t.Id))];
        return new UiMessage($"Ticket {t.Subject}: {SupportTicket.StatusText(t.Status)}", body, actions);
    }

    public static UiMessage TicketList(IReadOnlyList<SupportTicket> tickets, bool staff)
    {
        var body = new List<UiElement> { new UiHeading(staff ? "Open support tickets" : "Your support requests") };
        if (tickets.Count == 0) body.Add(new UiText(staff ? "No open tickets." : "You have not sent any support request yet.", UiTextTone.Subtle));
        foreach (var t in tickets)
        {
            body.Add(new UiText($"**{UiMarkdown.Escape(t.Subject, 150)}** ({SupportTicket.StatusText(t.Status)})"
                + (staff ? $", from {UiMarkdown.Escape(t.RequesterName, 100)}" : "")));
            body.Add(new UiActionRow([new UiAction("Open", SupportRoutes.Show, Data(t.Id))]));
        }
        return new UiMessage(staff ? $"{tickets.Count} open tickets" : $"{tickets.Count} support requests", body,
            [new UiAction("Contact support", CardVerbs.Support), new UiAction("Back to menu", CardVerbs.Menu)]);
    }

    public static UiMessage CustomerDeployments(SupportTicket t, IReadOnlyList<SupportDeploymentView> deployments)
    {
        var body = new List<UiElement> { new UiHeading($"Deployments of {t.RequesterName}") };
        if (deployments.Count == 0) body.Add(new UiText("No deployments.", UiTextTone.Subtle));
        foreach (var d in deployments)
            body.Add(new UiFactSet([new("Deployment", d.Id), new("Module", d.ModuleName), new("State", d.State),
                new("Updated", d.UpdatedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture))]));
        body.Add(new UiText("Inputs and outputs are not shown to support staff. This view was recorded in the audit log.", UiTextTone.Subtle));
        return new UiMessage($"{deployments.Count} deployments of {t.RequesterName}", body, []);
    }
}
