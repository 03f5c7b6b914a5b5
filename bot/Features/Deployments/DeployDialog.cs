using System.Text.Json.Nodes;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Http;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Deployments;

/// <summary>
/// Deploy a module: catalog (tabs, search, paging) → module form, step by step (values kept on Back/Next) → checks
/// (inputs, dependencies, credits) → confirmation → start. The start is idempotent per confirmation card, so a
/// double-click or a redelivered activity starts one deployment and charges once.
/// </summary>
public sealed class DeployDialog(
    IModuleCatalog catalog,
    DeploymentService deployments,
    ICreditLedger ledger,
    DeploymentStatusCards statusCards,
    FormSecrets secrets,
    ILogger<DeployDialog> logger) : Dialog<DeployState>(DialogId, DeploymentStateJson.Default.DeployState)
{
    public const string DialogId = "deploy";
    private const int CatalogLoadLimit = 2000;

    /// <summary><c>deploy</c> shows the catalog; <c>deploy NAME</c> opens that module's form.</summary>
    public Task<DialogTurnResult> StartAsync(ChatRouteContext route, CancellationToken ct) =>
        route.Arguments.Length > 0
            ? PickAsync(route.Dialog, State(route.Dialog), route.Arguments, ct)
            : ShowCatalogAsync(route.Dialog, State(route.Dialog), route.Data, ct);

    /// <summary>A catalog tab, page or search.</summary>
    public Task<DialogTurnResult> CatalogAsync(ChatRouteContext route, CancellationToken ct) =>
        ShowCatalogAsync(route.Dialog, State(route.Dialog), route.Data, ct);

    public Task<DialogTurnResult> PickAsync(ChatRouteContext route, CancellationToken ct) =>
        PickAsync(route.Dialog, State(route.Dialog), (string?)route.Data["module"] ?? "", ct);

    /// <summary>The confirmation's Deploy button; on a card whose dialog has ended it tells what became of it, never starts blind.</summary>
    public Task<DialogTurnResult> ConfirmAsync(ChatRouteContext route, CancellationToken ct) =>
        route.Started
            ? ConfirmationOfEndedDialogAsync(route.Dialog, route.Data, ct)
            : ConfirmAsync(route.Dialog, State(route.Dialog), ct);

    public async Task<DialogTurnResult> CancelAsync(ChatRouteContext route, CancellationToken ct)
    {
        await route.Turn.SendTextAsync(route.Started
            ? "That deployment form is no longer open; nothing was changed."
            : "Cancelled: nothing was deployed and nothing was charged.", ct);
        return await route.Dialog.EndDialogAsync(ct);
    }

    /// <summary>The form's own buttons, and typed text (a search while browsing).</summary>
    public override async Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct)
    {
        var turn = dc.Turn;
        var state = State(dc);
        switch (turn.Verb)
        {
            case CardVerbs.FormBack or CardVerbs.FormNext or CardVerbs.FormSubmit:
                return await FormActionAsync(dc, state, ct);
            case CardVerbs.FormCancel:
                await turn.SendTextAsync("Cancelled: nothing was deployed and nothing was charged.", ct);
                return await dc.EndDialogAsync(ct);
            case CardVerbs.FormOpen when state.Phase == DeployPhase.Form:
                return await ShowStepAsync(dc, state, Session(state).Step, new Dictionary<string, string>(), ct);
            case not null:
                return DialogTurnResult.Empty;
        }

        // Typed text: a search while browsing, a reminder while a form or confirmation is open.
        if (state.Phase == DeployPhase.Catalog && turn.Text.Length > 0)
            return await ShowCatalogAsync(dc, state, new JsonObject { ["query"] = turn.Text, ["tab"] = state.Tab }, ct);
        await turn.SendTextAsync("Please use the buttons on the card above, or type **cancel** to stop.", ct);
        return DialogTurnResult.Waiting;
    }

    private async Task<DialogTurnResult> ShowCatalogAsync(DialogContext dc, DeployState state, JsonObject data, CancellationToken ct,
        string? notice = null)
    {
        var tab = CatalogCard.ParseTab((string?)data["tab"] ?? state.Tab);
        var query = (string?)data[CatalogCard.SearchInputId] ?? (string?)data["query"];
        var page = data["page"] is JsonValue p && p.TryGetValue<int>(out var n) ? n : 0;
        state.Phase = DeployPhase.Catalog;
        state.Tab = CatalogCard.TabValue(tab);

        var entries = await LoadEntriesAsync(dc.Turn, tab, ct);
        await dc.Turn.SendAsync(CatalogCard.Build(entries, tab, query, page, notice), ct);
        return DialogTurnResult.Waiting;
    }

    private async Task<IReadOnlyList<CatalogEntryView>> LoadEntriesAsync(TurnContext turn, ModuleSource tab, CancellationToken ct)
    {
        var viewer = Viewer(turn);
        var entries = new List<CatalogEntryView>();
        string? continuation = null;
        do
        {
            var page = await catalog.SearchAsync(viewer, new CatalogQuery
            {
                Scope = tab == ModuleSource.Platform ? CatalogScope.Platform : CatalogScope.Partner,
                PageSize = 200,
                ContinuationToken = continuation,
            }, ct);
            entries.AddRange(page.Items.Select(m => new CatalogEntryView(m.Name, m.Model.Metadata.Description,
                m.Owner == turn.User.Id ? 0 : m.Model.Metadata.CreditCost, m.Model.Metadata.Services,
                m.IsPlatform ? ModuleSource.Platform : ModuleSource.Partner)));
            continuation = page.ContinuationToken;
        } while (continuation is not null && entries.Count < CatalogLoadLimit);
        return entries;
    }

    private async Task<DialogTurnResult> PickAsync(DialogContext dc, DeployState state, string moduleName, CancellationToken ct)
    {
        var module = moduleName.Length == 0 ? null : await catalog.FindAsync(Viewer(dc.Turn), moduleName, null, ct);
        if (module is null)
        {
            return await ShowCatalogAsync(dc, state, [], ct,
                notice: $"I can't find a module called **{UiMarkdown.Escape(moduleName, 80)}** that you can deploy. Here is the catalog:");
        }
        // Said before the form is filled in: nothing can start while a reversed payment is owed.
        var owed = await ledger.GetBalanceAsync(dc.Turn.User.Id, ct);
        if (owed.Owes)
        {
            state.Phase = DeployPhase.Blocked;
            await dc.Turn.SendAsync(BalanceOwed(module.Name, owed.Total), ct);
            return DialogTurnResult.Waiting;
        }
        var form = ProvisioningFormBuilder.Build(module.Model, ProvisioningFormMode.Create);
        state.Phase = DeployPhase.Form;
        state.Module = module.Name;
        state.Owner = module.Owner;
        Session(state).Start(form);

        var metadata = module.Model.Metadata;
        var cost = module.Owner == dc.Turn.User.Id ? 0 : metadata.CreditCost;
        var facts = new List<UiFact> { new("Cost", CatalogCard.CreditText(cost)) };
        if (metadata.Dependencies.Count > 0) facts.Add(new UiFact("Needs first", string.Join(", ", metadata.Dependencies)));
        if (metadata.Services.Count > 0) facts.Add(new UiFact("Services", string.Join(", ", metadata.Services)));
        await dc.Turn.SendAsync(new UiMessage($"{module.Name}: {metadata.Description}",
            [
                new UiHeading(module.Name),
                new UiText(UiMarkdown.Escape(metadata.Description ?? "No description.", 1500)),
                new UiFactSet(facts),
            ], []), ct);
        return await ShowStepAsync(dc, state, 0, new Dictionary<string, string>(), ct);
    }

    private async Task<DialogTurnResult> FormActionAsync(DialogContext dc, DeployState state, CancellationToken ct)
    {
        var turn = dc.Turn;
        var form = await CurrentFormAsync(dc, state, ct);
        var submission = form is null ? null : Session(state).Read(turn, form);
        if (form is null || submission is null)
        {
            await turn.SendTextAsync("That form is no longer open. Type **deploy** to start again.", ct);
            return DialogTurnResult.Waiting;
        }

        if (submission.Verb == CardVerbs.FormBack)
            return await ShowStepAsync(dc, state, Math.Max(0, submission.StepIndex - 1), new Dictionary<string, string>(), ct);

        var stepErrors = FormValues.Validate(form.Step(submission.StepIndex), submission.Values);
        if (stepErrors.Count > 0) return await ShowStepAsync(dc, state, submission.StepIndex, stepErrors, ct);

        if (submission.Verb == CardVerbs.FormNext && submission.StepIndex < form.Steps.Count - 1)
            return await ShowStepAsync(dc, state, submission.StepIndex + 1, new Dictionary<string, string>(), ct);

        return await CheckAsync(dc, state, form, submission.Values, ct);
    }

    /// <summary>Everything before the confirmation: values, the module's own validations, dependencies, credits.</summary>
    private async Task<DialogTurnResult> CheckAsync(DialogContext dc, DeployState state, UiForm form, IReadOnlyDictionary<string, string?> values, CancellationToken ct)
    {
        var turn = dc.Turn;
        var conversion = FormValues.ToJsonValues(form, values);
        if (!conversion.IsValid) return await ShowFirstErrorStepAsync(dc, state, form, conversion.Errors, ct);

        var module = await catalog.FindAsync(Viewer(turn), state.Module!, state.Owner, ct);
        if (module is null)
        {
            await turn.SendTextAsync("This module has just left the catalog, so it can't be deployed any more.", ct);
            return await dc.EndDialogAsync(ct);
        }
        var inputs = Inputs(conversion);
        var inputErrors = DeploymentInputs.Validate(module.Model, module.Files, inputs);
        if (inputErrors.Count > 0)
        {
            var byInput = inputErrors.Where(e => e.Input is not null).GroupBy(e => e.Input!).ToDictionary(g => g.Key, g => string.Join(" ", g.Select(e => e.Message)));
            if (byInput.Count > 0) return await ShowFirstErrorStepAsync(dc, state, form, byInput, ct);
            await turn.SendTextAsync(string.Join("\n", inputErrors.Select(e => "- " + e.Message)), ct);
            return DialogTurnResult.Waiting;
        }

        var metadata = module.Model.Metadata;
        var (missing, running) = await deployments.CheckDependenciesAsync(turn.User.Id, metadata.Dependencies, ct);
        if (missing.Count > 0)
        {
            state.Phase = DeployPhase.Blocked;
            await turn.SendAsync(MissingDependencies(module.Name, metadata.Dependencies, missing, running), ct);
            return DialogTurnResult.Waiting;
        }

        var cost = module.Owner == turn.User.Id ? 0 : metadata.CreditCost;
        var balances = await ledger.GetBalanceAsync(turn.User.Id, ct);
        var available = balances.Available(metadata.RequireCreditPurchases ? SpendPolicy.PurchasedOnly : SpendPolicy.AnyBucket);
        if (balances.Owes)
        {
            state.Phase = DeployPhase.Blocked;
            await turn.SendAsync(BalanceOwed(module.Name, balances.Total), ct);
            return DialogTurnResult.Waiting;
        }
        if (cost > available)
        {
            state.Phase = DeployPhase.Blocked;
            await turn.SendAsync(NotEnoughCredits(module.Name, cost, available, metadata.RequireCreditPurchases), ct);
            return DialogTurnResult.Waiting;
        }

        state.Phase = DeployPhase.Confirm;
        state.ConfirmId = Guid.NewGuid().ToString("N");
        var facts = new List<UiFact>
        {
            new("Module", module.Name),
            new("Cost", module.Owner == turn.User.Id ? "Free (your own module)" : CatalogCard.CreditText(cost)),
            new("Your balance", CatalogCard.CreditText(balances.Total) + (metadata.RequireCreditPurchases ? $" ({CatalogCard.CreditText(balances.TopUp)} purchased)" : "")),
        };
        foreach (var dependency in metadata.Dependencies)
            facts.Add(new UiFact("Needs " + dependency, running.Contains(dependency) ? "Deploying now (this one waits for it)" : "Deployed ✓"));
        foreach (var input in form.AllInputs.Where(i => !i.ReadOnly))
            facts.Add(new UiFact(input.Label, input.Kind == UiInputKind.Secret ? "••••••" : Shorten(values.GetValueOrDefault(input.Id) ?? input.DefaultValue ?? "")));
        await turn.SendAsync(ConfirmationCard.Build($"Deploy {module.Name}?", "Check the values below, then start the deployment.",
            new UiAction("Deploy", DeploymentRoutes.Confirm, new JsonObject { ["confirmId"] = state.ConfirmId, ["module"] = module.Name }, UiActionStyle.Primary),
            new UiAction("Cancel", DeploymentRoutes.Cancel),
            facts), ct);
        return DialogTurnResult.Waiting;
    }

    private async Task<DialogTurnResult> ConfirmAsync(DialogContext dc, DeployState state, CancellationToken ct)
    {
        var turn = dc.Turn;
        var confirmId = (string?)turn.Data["confirmId"];
        if (state.Phase != DeployPhase.Confirm || confirmId is null || confirmId != state.ConfirmId)
            return await ConfirmationOfEndedDialogAsync(dc, turn.Data, ct);

        var form = await CurrentFormAsync(dc, state, ct);
        if (form is null)
        {
            await turn.SendTextAsync("This module has just left the catalog, so it can't be deployed any more.", ct);
            return await dc.EndDialogAsync(ct);
        }
        var conversion = FormValues.ToJsonValues(form, Session(state).Values);
        var request = new StartDeploymentRequest(turn.User.Id, Viewer(turn), state.Module!, Inputs(conversion),
            state.Owner, new JsonObject { ["channel"] = turn.Input.Channel, ["address"] = turn.Responder.ConversationAddress.DeepClone() });
        var result = await deployments.StartAsync(request, confirmId, ct);
        switch (result)
        {
            case StartDeploymentResult.Started started:
                logger.LogInformation("Deployment {DeploymentId} started from the chat", started.Deployment.Id);
                await ShowStatusCardAsync(turn, started.Deployment, ct);
                return await dc.EndDialogAsync(ct);
            case StartDeploymentResult.Duplicate duplicate:
                await turn.SendTextAsync("This deployment was already started; here is its status.", ct);
                await turn.SendAsync(statusCards.Build(duplicate.Existing), ct);
                return await dc.EndDialogAsync(ct);
            case StartDeploymentResult.DependencyMissing missing:
                state.Phase = DeployPhase.Blocked;
                await turn.SendAsync(MissingDependencies(state.Module!, missing.Missing, missing.Missing, []), ct);
                return DialogTurnResult.Waiting;
            case StartDeploymentResult.InsufficientCredits credits:
                state.Phase = DeployPhase.Blocked;
                await turn.SendAsync(NotEnoughCredits(state.Module!, credits.Cost, credits.Balance, credits.PurchasedCreditsRequired), ct);
                return DialogTurnResult.Waiting;
            case StartDeploymentResult.BalanceOwed owed:
                state.Phase = DeployPhase.Blocked;
                await turn.SendAsync(BalanceOwed(state.Module!, owed.Balance), ct);
                return DialogTurnResult.Waiting;
            case StartDeploymentResult.InvalidInputs invalid:
                var byInput = invalid.Errors.Where(e => e.Input is not null).GroupBy(e => e.Input!).ToDictionary(g => g.Key, g => string.Join(" ", g.Select(e => e.Message)));
                return await ShowFirstErrorStepAsync(dc, state, form, byInput, ct);
            default:
                await turn.SendTextAsync("This module is no longer in the catalog, so it can't be deployed.", ct);
                return await dc.EndDialogAsync(ct);
        }
    }

    /// <summary>A confirmation clicked after its dialog ended (double-click, old card): show what it started, if anything.</summary>
    private async Task<DialogTurnResult> ConfirmationOfEndedDialogAsync(DialogContext dc, JsonObject data, CancellationToken ct)
    {
        var turn = dc.Turn;
        var confirmId = (string?)data["confirmId"];
        var existing = confirmId is null ? null
            : await deployments.GetAsync(new DeploymentCaller(turn.User.Id, false), StoreJson.StableId("dep-", turn.User.Id, confirmId), ct);
        if (existing is not null)
        {
            await turn.SendTextAsync("This deployment was already started; here is its status.", ct);
            await turn.SendAsync(statusCards.Build(existing), ct);
        }
        else
        {
            await turn.SendTextAsync("That confirmation has expired and nothing was started. Type **deploy** to start again.", ct);
        }
        return await dc.EndDialogAsync(ct);
    }

    private Task ShowStatusCardAsync(TurnContext turn, Api.Deployments.DeploymentView deployment, CancellationToken ct) =>
        statusCards.ShowFirstAsync(deployment, turn.SendAsync, ct);

    private async Task<DialogTurnResult> ShowFirstErrorStepAsync(DialogContext dc, DeployState state, UiForm form, IReadOnlyDictionary<string, string> errors, CancellationToken ct)
    {
        await dc.Turn.SendTextAsync("Some values need a fix; the fields are marked below.", ct);
        return await ShowStepAsync(dc, state, FormSession.StepOf(form, errors), errors, ct);
    }

    private async Task<DialogTurnResult> ShowStepAsync(DialogContext dc, DeployState state, int stepIndex, IReadOnlyDictionary<string, string> errors, CancellationToken ct)
    {
        var form = await CurrentFormAsync(dc, state, ct);
        if (form is null)
        {
            await dc.Turn.SendTextAsync("This module has just left the catalog, so it can't be deployed any more.", ct);
            return await dc.EndDialogAsync(ct);
        }
        state.Phase = DeployPhase.Form;
        await dc.Turn.SendAsync(Session(state).Show(form, stepIndex, errors), ct);
        return DialogTurnResult.Waiting;
    }

    private async Task<UiForm?> CurrentFormAsync(DialogContext dc, DeployState state, CancellationToken ct)
    {
        var module = await catalog.FindAsync(Viewer(dc.Turn), state.Module ?? "", state.Owner, ct);
        return module is null ? null : Session(state).Bind(ProvisioningFormBuilder.Build(module.Model, ProvisioningFormMode.Create));
    }

    private FormSession Session(DeployState state) => new(state.Form, secrets);

    private static JsonObject Inputs(FormConversion conversion)
    {
        var inputs = new JsonObject();
        foreach (var (key, value) in conversion.Values) inputs[key] = value?.DeepClone();
        return inputs;
    }

    private static UiMessage MissingDependencies(string module, IReadOnlyList<string> all, IReadOnlyList<string> missing, IReadOnlyList<string> running)
    {
        var facts = all.Select(d => new UiFact(d, missing.Contains(d) ? "Not deployed" : running.Contains(d) ? "Deploying now" : "Deployed ✓")).ToList();
        var actions = missing.Take(3).Select(d => new UiAction($"Deploy {d} first", CardVerbs.DeployPick, new JsonObject { ["module"] = d }, UiActionStyle.Primary)).ToList();
        actions.Add(new UiAction("Cancel", DeploymentRoutes.Cancel));
        return new UiMessage($"{module} needs {string.Join(", ", missing)} deployed first.",
            [
                new UiHeading($"{module} needs other modules first"),
                new UiText($"Deploy {string.Join(", ", missing.Select(m => $"**{m}**"))} first; nothing was started or charged.", UiTextTone.Warning),
                new UiFactSet(facts),
            ], actions);
    }

    private static UiMessage NotEnoughCredits(string module, decimal cost, decimal available, bool purchasedOnly)
    {
        var why = purchasedOnly
            ? $"{module} can only be paid with purchased credits: it costs {CatalogCard.CreditText(cost)} and you have {CatalogCard.CreditText(available)} purchased."
            : $"{module} costs {CatalogCard.CreditText(cost)} and your balance is {CatalogCard.CreditText(available)}.";
        return new UiMessage(why,
            [
                new UiHeading("Not enough credits"),
                new UiText(why + " Nothing was started or charged.", UiTextTone.Attention),
                new UiFactSet([new UiFact("Cost", CatalogCard.CreditText(cost)), new UiFact(purchasedOnly ? "Purchased credits" : "Balance", CatalogCard.CreditText(available))]),
            ],
            [new UiAction("Buy credits", Billing.BillingChatRoutes.Billing, new JsonObject { ["tab"] = "buy" }, UiActionStyle.Primary), new UiAction("Cancel", DeploymentRoutes.Cancel)]);
    }

    private static UiMessage BalanceOwed(string module, decimal balance)
    {
        var why = $"A payment of yours was refunded or disputed after its credits were spent, so your balance is {CatalogCard.CreditText(balance)}. "
            + $"Buy credits to bring it back to zero or more, then deploy {module}.";
        return new UiMessage(why,
            [
                new UiHeading("Deployments are paused"),
                new UiText(why + " Nothing was started or charged.", UiTextTone.Attention),
                new UiFactSet([new UiFact("Balance", CatalogCard.CreditText(balance))]),
            ],
            [new UiAction("Buy credits", Billing.BillingChatRoutes.Billing, new JsonObject { ["tab"] = "buy" }, UiActionStyle.Primary), new UiAction("Cancel", DeploymentRoutes.Cancel)]);
    }

    private static CatalogViewer Viewer(TurnContext turn) => new(turn.User.Id, turn.User.Email, turn.User.IsAdmin);

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..77] + "...";

}
