using System.Text.Json.Nodes;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Support;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Support;

/// <summary>
/// The support form (subject, category, message, optional deployment) → a ticket, stored first, then forwarded to the
/// staff channels by <see cref="SupportDeliveryWorker"/>.
/// </summary>
public sealed class SupportRequestDialog(TicketStore tickets, IDeploymentService deployments, IModuleCatalog catalog,
    Admin.ChatIdentityEmails emails, MainMenu menu, ILogger<SupportRequestDialog> log)
    : Dialog<SupportRequestState>(DialogId, SupportStateJson.Default.SupportRequestState)
{
    public const string DialogId = "support.request";
    private const int RecentDeployments = 10;

    public async Task<DialogTurnResult> StartAsync(ChatRouteContext route, CancellationToken ct)
    {
        var dc = route.Dialog;
        if (!Permissions.CanRaiseTicket(Actor.Of(dc.Turn.User)))
        {
            await dc.Turn.SendTextAsync("Sign in to contact support.", ct);
            return await dc.EndDialogAsync(ct);
        }
        var recent = await deployments.ListAsync(new DeploymentCaller(dc.Turn.User.Id, false), false, null, null, RecentDeployments, ct);
        var state = State(dc);
        state.Phase = SupportRequestPhase.Form;
        state.Deployments = recent.Items
            .Select(d => new SupportDeploymentChoice(d.Id, $"{d.ModuleName} ({d.State}, {d.CreatedAt:yyyy-MM-dd})", d.ModuleName, d.ModuleOwner))
            .ToList();
        await dc.Turn.SendAsync(FormStep(dc, new Dictionary<string, string?>(), new Dictionary<string, string>()), ct);
        return DialogTurnResult.Waiting;
    }

    public override async Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct)
    {
        var action = dc.Turn.Verb is null ? null : AdaptiveCardForms.ReadAction(dc.Turn.Data);
        if (action is null || action.FormId != SupportCards.RequestFormId)
        {
            await dc.Turn.SendTextAsync("Please fill in the support form above, or type **cancel**.", ct);
            return DialogTurnResult.Waiting;
        }
        if (action.Verb == CardVerbs.FormOpen)
        {
            await dc.Turn.SendAsync(FormStep(dc, new Dictionary<string, string?>(), new Dictionary<string, string>()), ct);
            return DialogTurnResult.Waiting;
        }
        if (action.Verb == CardVerbs.FormCancel)
        {
            await dc.Turn.SendAsync(menu.Build("Your support request was not sent. What would you like to do?"), ct);
            return await dc.EndDialogAsync(ct);
        }

        var form = Form(dc);
        var step = form.Step(0);
        var values = AdaptiveCardForms.ReadValues(dc.Turn.Data, step);
        var errors = new Dictionary<string, string>(FormValues.Validate(step, values));
        var category = TicketCategories.Normalize(values.GetValueOrDefault("category"));
        if (category is null && !errors.ContainsKey("category")) errors["category"] = "Pick one of the categories.";
        var deploymentId = values.GetValueOrDefault("deployment") is { Length: > 0 } picked && picked != SupportCards.NoDeployment ? picked : null;
        var deployment = deploymentId is null ? null
            : State(dc).Deployments.FirstOrDefault(d => d.Id == deploymentId);
        if (deploymentId is not null && deployment is null) errors["deployment"] = "Pick one of your deployments, or None.";
        if (errors.Count > 0)
        {
            await dc.Turn.SendAsync(FormStep(dc, values, errors), ct);
            return DialogTurnResult.Waiting;
        }

        var technical = await TechnicalSupportUsersAsync(deployment, ct);
        // Staff see who wrote: the email too, when the channel can tell it.
        var user = await emails.EnsureEmailAsync(dc.Turn, ct);
        var ticket = await tickets.CreateAsync(new NewTicket(user.Id, user.DisplayName, user.Email, values["subject"]!.Trim(), category!,
            values["message"]!.Trim(), deploymentId, deployment?.Module, technical, dc.Turn.Input.Channel,
            dc.Turn.Responder.ConversationAddress.DeepClone().AsObject()), dc.Turn.Input.ActivityId, ct);
        log.LogInformation("Support ticket {TicketId} raised by {UserId} ({Category})", ticket.Id, user.Id, ticket.Category);
        await dc.Turn.SendAsync(new UiMessage($"Support request sent: {ticket.Subject}",
            [new UiHeading("Support request sent"),
             new UiText($"**{UiMarkdown.Escape(ticket.Subject, 150)}** went to the support team (ticket {ticket.Id}). Their answers will appear in this conversation.")],
            [new UiAction("My tickets", SupportRoutes.Tickets), new UiAction("Back to menu", CardVerbs.Menu)]), ct);
        return await dc.EndDialogAsync(ct);
    }

    private async Task<IReadOnlyList<string>> TechnicalSupportUsersAsync(SupportDeploymentChoice? deployment, CancellationToken ct)
    {
        if (deployment?.Owner is not { } owner) return [];
        var module = await catalog.GetAsync(owner, deployment.Module, ct);
        return module?.Model.Metadata.TechnicalSupportUsers ?? [];
    }

    private UiForm Form(DialogContext dc) => SupportCards.RequestForm(State(dc).Deployments.Select(d => (d.Id, d.Title)).ToList());

    private UiMessage FormStep(DialogContext dc, IReadOnlyDictionary<string, string?> values, IReadOnlyDictionary<string, string> errors) =>
        new UiFormStepElement(Form(dc), 0, values, errors).ToMessage();
}
