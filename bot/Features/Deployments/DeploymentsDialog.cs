using System.Globalization;
using System.Text.Json.Nodes;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Deployments;
using PartnerBot.Cards.Forms;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;
using ApiDeploymentView = PartnerBot.Api.Deployments.DeploymentView;

namespace PartnerBot.Bot.Features.Deployments;

/// <summary>
/// "My deployments": a paged list (optionally filtered by status), the details of one deployment (inputs without
/// secrets, outputs, last log lines, history), and cancel / delete / purge. Every action is checked against the
/// caller by the deployment service, so a tampered card cannot reach another partner's deployment.
/// </summary>
public sealed class DeploymentsDialog(DeploymentService deployments, IModuleCatalog catalog, DeploymentStatusCards statusCards, FormSecrets secrets)
    : Dialog<DeploymentsState>(DialogId, DeploymentStateJson.Default.DeploymentsState)
{
    public const string DialogId = "deployments";
    private const int PageSize = 8;

    /// <summary>Log lines on one page of the chat's log view.</summary>
    public const int LogPageLines = 20;

    private const int LogChunksPerRead = 100;

    /// <summary>The log view reads at most this many lines (the REST API pages through any length).</summary>
    private const int LogLinesLimit = 50_000;

    /// <summary>
    /// <c>deployments [status]</c>, and the list's buttons (More, the status filters; data: <c>status</c>, <c>continuation</c>).
    /// </summary>
    public Task<DialogTurnResult> ListAsync(ChatRouteContext route, CancellationToken ct)
    {
        var data = route.Data;
        if (route.Arguments.Length > 0) data["status"] = route.Arguments;
        return ListAsync(route.Dialog, data, ct);
    }

    public async Task<DialogTurnResult> ShowAsync(ChatRouteContext route, CancellationToken ct)
    {
        if (DeploymentId(route) is not { } id) return await NotFoundAsync(route.Turn, ct);
        var view = await deployments.GetAsync(Caller(route.Turn), id, ct);
        await route.Turn.SendAsync(view is null ? NotFound() : Details(view), ct);
        return DialogTurnResult.Waiting;
    }

    public async Task<DialogTurnResult> CancelAsync(ChatRouteContext route, CancellationToken ct)
    {
        if (DeploymentId(route) is not { } id) return await NotFoundAsync(route.Turn, ct);
        await ReportAsync(route.Turn, await deployments.CancelAsync(Caller(route.Turn), id, ct), "Cancelled", ct);
        return DialogTurnResult.Waiting;
    }

    public async Task<DialogTurnResult> DeleteAsync(ChatRouteContext route, CancellationToken ct)
    {
        if (DeploymentId(route) is not { } id) return await NotFoundAsync(route.Turn, ct);
        await ReportAsync(route.Turn, await deployments.DeleteAsync(Caller(route.Turn), id, ct), "Deleting: its resources are being destroyed", ct);
        return DialogTurnResult.Waiting;
    }

    public async Task<DialogTurnResult> PurgeAsync(ChatRouteContext route, CancellationToken ct)
    {
        if (DeploymentId(route) is not { } id) return await NotFoundAsync(route.Turn, ct);
        await ReportAsync(route.Turn, await deployments.PurgeAsync(Caller(route.Turn), id, ct), "Forgotten (nothing was destroyed)", ct);
        return DialogTurnResult.Waiting;
    }

    public async Task<DialogTurnResult> UpdateAsync(ChatRouteContext route, CancellationToken ct)
    {
        if (DeploymentId(route) is not { } id) return await NotFoundAsync(route.Turn, ct);
        return await StartUpdateAsync(route.Dialog, Caller(route.Turn), id, ct);
    }

    /// <summary>
    /// The whole log of a deployment, <see cref="LogPageLines"/> lines a page, newest page first; Older / Newer page
    /// through it (data: <c>deploymentId</c>, <c>page</c>).
    /// </summary>
    public async Task<DialogTurnResult> LogsAsync(ChatRouteContext route, CancellationToken ct)
    {
        if (DeploymentId(route) is not { } id) return await NotFoundAsync(route.Turn, ct);
        var caller = Caller(route.Turn);
        var view = await deployments.GetAsync(caller, id, ct);
        var lines = view is null ? null : await ReadLogAsync(caller, id, ct);
        if (view is null || lines is null) return await NotFoundAsync(route.Turn, ct);
        var pages = Math.Max(1, (lines.Count + LogPageLines - 1) / LogPageLines);
        var page = route.Data["page"] is JsonValue p && p.TryGetValue<int>(out var n) ? Math.Clamp(n, 0, pages - 1) : pages - 1;
        await route.Turn.SendAsync(LogCard(view, lines, page, pages), ct);
        return DialogTurnResult.Waiting;
    }

    /// <summary>Every log line of the deployment, oldest first (null when the caller cannot see it).</summary>
    private async Task<List<string>?> ReadLogAsync(DeploymentCaller caller, string id, CancellationToken ct)
    {
        var lines = new List<string>();
        string? continuation = null;
        do
        {
            var page = await deployments.GetLogsAsync(caller, id, continuation, LogChunksPerRead, ct);
            if (page is null) return null;
            lines.AddRange(page.Lines);
            continuation = page.ContinuationToken;
        } while (continuation is not null && lines.Count < LogLinesLimit);
        return lines;
    }

    private static UiMessage LogCard(ApiDeploymentView d, IReadOnlyList<string> lines, int page, int pages)
    {
        var first = page * LogPageLines;
        var shown = lines.Skip(first).Take(LogPageLines).ToList();
        var data = new JsonObject { ["deploymentId"] = d.Id };
        var position = lines.Count == 0 ? "No log lines yet." : $"Lines {first + 1}–{first + shown.Count} of {lines.Count} (page {page + 1} of {pages}).";
        var body = new List<UiElement>
        {
            new UiHeading($"Log of {d.ModuleName}"),
            new UiText($"{UiMarkdown.Escape(d.Id, 100)} · {DeploymentStatusCards.Describe(d.State)}. {position}", UiTextTone.Subtle),
        };
        if (shown.Count > 0) body.Add(new UiText(UiMarkdown.Escape(string.Join("\n", shown), 3500)));
        var actions = new List<UiAction>();
        if (page > 0) actions.Add(new UiAction("◀ Older", DeploymentRoutes.Logs, With(data, page - 1)));
        if (page < pages - 1) actions.Add(new UiAction("Newer ▶", DeploymentRoutes.Logs, With(data, page + 1)));
        actions.Add(new UiAction("Latest", DeploymentRoutes.Logs, data.DeepClone().AsObject()));
        actions.Add(new UiAction("Details", DeploymentRoutes.Show, data.DeepClone().AsObject()));
        return new UiMessage($"Log of {d.ModuleName} ({d.Id}): {position}", body, actions);

        static JsonObject With(JsonObject data, int page)
        {
            var copy = data.DeepClone().AsObject();
            copy["page"] = page;
            return copy;
        }
    }

    /// <summary>The update form's buttons, and typed text (a status filter).</summary>
    public override async Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct)
    {
        var turn = dc.Turn;
        switch (turn.Verb)
        {
            case CardVerbs.FormBack or CardVerbs.FormNext or CardVerbs.FormSubmit when State(dc).Phase == DeploymentsPhase.Update:
                return await UpdateFormAsync(dc, Caller(turn), ct);
            case CardVerbs.FormOpen when State(dc).Phase == DeploymentsPhase.Update:
                return await ReopenUpdateFormAsync(dc, Caller(turn), ct);
            case CardVerbs.FormCancel:
                State(dc).Phase = DeploymentsPhase.Browsing;
                await turn.SendTextAsync("Update cancelled; nothing changed.", ct);
                return DialogTurnResult.Waiting;
            case null:
                return await ListAsync(dc, new JsonObject { ["status"] = turn.Text }, ct);
            default:
                return DialogTurnResult.Empty;
        }
    }

    private async Task<DialogTurnResult> ListAsync(DialogContext dc, JsonObject data, CancellationToken ct)
    {
        var turn = dc.Turn;
        var status = ParseStatus((string?)data["status"]);
        if (data["status"] is not null && status is null && !string.IsNullOrWhiteSpace((string?)data["status"]))
        {
            await turn.SendTextAsync($"I don't know the status \"{UiMarkdown.Escape((string?)data["status"], 40)}\". Try one of: {string.Join(", ", Enum.GetNames<DeploymentState>())}.", ct);
            return DialogTurnResult.Waiting;
        }
        var list = await deployments.ListAsync(Caller(turn), all: false, status, (string?)data["continuation"], PageSize, ct);
        await turn.SendAsync(List(list, status), ct);
        return DialogTurnResult.Waiting;
    }

    private static DeploymentCaller Caller(TurnContext turn) => new(turn.User.Id, turn.User.IsAdmin);

    private static string? DeploymentId(ChatRouteContext route) => (string?)route.Data["deploymentId"] is { Length: > 0 } id ? id : null;

    private static async Task<DialogTurnResult> NotFoundAsync(TurnContext turn, CancellationToken ct)
    {
        await turn.SendAsync(NotFound(), ct);
        return DialogTurnResult.Waiting;
    }

    /// <summary>The module's form in update mode, prefilled with the current inputs; only <c>updatesafe</c> inputs are editable.</summary>
    private async Task<DialogTurnResult> StartUpdateAsync(DialogContext dc, DeploymentCaller caller, string id, CancellationToken ct)
    {
        var turn = dc.Turn;
        var deployment = await deployments.GetAsync(caller, id, ct);
        if (deployment is null)
        {
            await turn.SendAsync(NotFound(), ct);
            return DialogTurnResult.Waiting;
        }
        var form = await UpdateFormAsync(turn, deployment, ct);
        if (form is null)
        {
            await turn.SendTextAsync($"**{deployment.ModuleName}** is no longer in the catalog, so this deployment can't be updated; it can still be deleted.", ct);
            return DialogTurnResult.Waiting;
        }
        if (!form.AllInputs.Any(i => !i.ReadOnly))
        {
            await turn.SendTextAsync($"**{deployment.ModuleName}** has no inputs that may change after deployment.", ct);
            return DialogTurnResult.Waiting;
        }
        var state = State(dc);
        state.Phase = DeploymentsPhase.Update;
        state.DeploymentId = id;
        var session = new FormSession(state.Form, secrets);
        session.Start(form);
        await turn.SendAsync(session.Show(form, 0), ct);
        return DialogTurnResult.Waiting;
    }

    /// <summary>The update form's current step again (Slack's "Open form" button).</summary>
    private async Task<DialogTurnResult> ReopenUpdateFormAsync(DialogContext dc, DeploymentCaller caller, CancellationToken ct)
    {
        var state = State(dc);
        var deployment = await deployments.GetAsync(caller, state.DeploymentId ?? "", ct);
        var form = deployment is null ? null : await UpdateFormAsync(dc.Turn, deployment, ct);
        if (form is null)
        {
            await dc.Turn.SendTextAsync("That form is no longer open.", ct);
            return DialogTurnResult.Waiting;
        }
        var session = new FormSession(state.Form, secrets);
        await dc.Turn.SendAsync(session.Show(form, session.Step), ct);
        return DialogTurnResult.Waiting;
    }

    private async Task<DialogTurnResult> UpdateFormAsync(DialogContext dc, DeploymentCaller caller, CancellationToken ct)
    {
        var turn = dc.Turn;
        var state = State(dc);
        var session = new FormSession(state.Form, secrets);
        var deployment = await deployments.GetAsync(caller, state.DeploymentId ?? "", ct);
        var form = deployment is null ? null : await UpdateFormAsync(turn, deployment, ct);
        var submission = form is null ? null : session.Read(turn, session.Bind(form));
        if (form is null || submission is null)
        {
            await turn.SendTextAsync("That form is no longer open.", ct);
            return DialogTurnResult.Waiting;
        }
        if (submission.Verb == CardVerbs.FormBack)
        {
            await turn.SendAsync(session.Show(form, Math.Max(0, submission.StepIndex - 1)), ct);
            return DialogTurnResult.Waiting;
        }
        var errors = FormValues.Validate(form.Step(submission.StepIndex), submission.Values);
        if (errors.Count > 0 || (submission.Verb == CardVerbs.FormNext && submission.StepIndex < form.Steps.Count - 1))
        {
            await turn.SendAsync(session.Show(form, errors.Count > 0 ? submission.StepIndex : submission.StepIndex + 1, errors), ct);
            return DialogTurnResult.Waiting;
        }

        var conversion = FormValues.ToJsonValues(form, submission.Values);
        var editable = form.AllInputs.Where(i => !i.ReadOnly).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        var changes = new JsonObject();
        foreach (var (name, value) in conversion.Values)
            if (editable.Contains(name)) changes[name] = value?.DeepClone();
        if (!conversion.IsValid)
        {
            await turn.SendAsync(session.Show(form, FormSession.StepOf(form, conversion.Errors), conversion.Errors), ct);
            return DialogTurnResult.Waiting;
        }

        var result = await deployments.UpdateAsync(caller, deployment!.Id, changes, ct);
        if (result is DeploymentCommandResult.InvalidInputs invalid)
        {
            var byInput = invalid.Errors.Where(e => e.Input is not null).GroupBy(e => e.Input!).ToDictionary(g => g.Key, g => string.Join(" ", g.Select(e => e.Message)));
            await turn.SendAsync(session.Show(form, FormSession.StepOf(form, byInput), byInput), ct);
            return DialogTurnResult.Waiting;
        }
        state.Phase = DeploymentsPhase.Browsing;
        await ReportAsync(turn, result, "Updating with the new values", ct);
        if (result is DeploymentCommandResult.Done done) await statusCards.ShowHereAsync(done.Deployment, turn.SendAsync, ct);
        return DialogTurnResult.Waiting;
    }

    private async Task<UiForm?> UpdateFormAsync(TurnContext turn, ApiDeploymentView deployment, CancellationToken ct)
    {
        var viewer = new CatalogViewer(turn.User.Id, turn.User.Email, turn.User.IsAdmin);
        var module = await catalog.FindAsync(viewer, deployment.ModuleName, deployment.ModuleOwner, ct);
        return module is null ? null : ProvisioningFormBuilder.Build(module.Model, ProvisioningFormMode.Update, deployment.Inputs);
    }

    private static async Task ReportAsync(TurnContext turn, DeploymentCommandResult result, string doneText, CancellationToken ct)
    {
        var message = result switch
        {
            DeploymentCommandResult.Done done => $"**{done.Deployment.ModuleName}** ({done.Deployment.Id}): {doneText}.",
            DeploymentCommandResult.NotAllowed notAllowed => notAllowed.Reason,
            DeploymentCommandResult.InvalidInputs invalid => string.Join(" ", invalid.Errors.Select(e => e.Message)),
            _ => "I can't find that deployment among yours.",
        };
        await turn.SendTextAsync(message, ct);
    }

    private static UiMessage NotFound() => UiMessage.Text("I can't find that deployment among yours.");

    private UiMessage Details(ApiDeploymentView d)
    {
        var card = statusCards.Build(d);
        var body = card.Body.ToList();
        var inputs = d.Inputs.Select(kv => new UiFact(kv.Key, kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : kv.Value?.ToJsonString() ?? "null"))
            .Concat(d.SensitiveInputs.Select(name => new UiFact(name, "(sensitive, hidden)")))
            .ToList();
        if (inputs.Count > 0) { body.Add(new UiText("**Inputs**")); body.Add(new UiFactSet(inputs)); }
        if (d.LogTail.Count > 0)
            body.Add(new UiText("**Last log lines**\n\n" + UiMarkdown.Escape(string.Join("\n", d.LogTail.TakeLast(8)), 2000), UiTextTone.Subtle));
        body.Add(new UiText("**History**\n\n" + string.Join("\n", d.History.TakeLast(8).Select(h =>
            $"- {h.At.ToUniversalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {DeploymentStatusCards.Describe(h.State)}")), UiTextTone.Subtle));

        var data = new JsonObject { ["deploymentId"] = d.Id };
        var actions = new List<UiAction>();
        if (d.State.IsInFlight() && d.State != DeploymentState.Deleting)
            actions.Add(new UiAction("Cancel", DeploymentRoutes.CancelDeployment, data.DeepClone().AsObject(), UiActionStyle.Destructive));
        if (d.State.IsSettled() && d.State != DeploymentState.Deleted)
        {
            actions.Add(new UiAction("Update", DeploymentRoutes.Update, data.DeepClone().AsObject(), UiActionStyle.Primary));
            actions.Add(new UiAction("Delete (destroy)", DeploymentRoutes.Delete, data.DeepClone().AsObject(), UiActionStyle.Destructive));
            actions.Add(new UiAction("Purge (forget)", DeploymentRoutes.Purge, data.DeepClone().AsObject()));
        }
        actions.Add(new UiAction("Logs", DeploymentRoutes.Logs, data.DeepClone().AsObject()));
        actions.Add(new UiAction("All my deployments", DeploymentRoutes.Deployments));
        return new UiMessage(card.Summary, body, actions);
    }

    private static UiMessage List(DeploymentList list, DeploymentState? status)
    {
        var body = new List<UiElement> { new UiHeading(status is null ? "My deployments" : $"My deployments: {DeploymentStatusCards.Describe(status.Value)}") };
        if (list.Items.Count == 0) body.Add(new UiText("No deployments yet. Type **deploy** to start one.", UiTextTone.Subtle));
        foreach (var d in list.Items)
        {
            body.Add(new UiText($"**{UiMarkdown.Escape(d.ModuleName, 80)}**: {DeploymentStatusCards.Describe(d.State)} · {d.CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}"));
            body.Add(new UiActionRow([new UiAction("Details", DeploymentRoutes.Show, new JsonObject { ["deploymentId"] = d.Id })]));
        }
        var actions = new List<UiAction>();
        if (list.ContinuationToken is not null)
            actions.Add(new UiAction("More", DeploymentRoutes.Deployments, new JsonObject { ["continuation"] = list.ContinuationToken, ["status"] = status?.ToString() }));
        actions.Add(new UiAction("Running", DeploymentRoutes.Deployments, new JsonObject { ["status"] = nameof(DeploymentState.Working) }));
        actions.Add(new UiAction("Succeeded", DeploymentRoutes.Deployments, new JsonObject { ["status"] = nameof(DeploymentState.Success) }));
        actions.Add(new UiAction("Failed", DeploymentRoutes.Deployments, new JsonObject { ["status"] = nameof(DeploymentState.Failure) }));
        actions.Add(new UiAction("New deployment", DeploymentRoutes.Deploy, Style: UiActionStyle.Primary));
        return new UiMessage(status is null ? "Your deployments" : $"Your {status} deployments", body, actions);
    }

    private static DeploymentState? ParseStatus(string? text) =>
        Enum.TryParse<DeploymentState>(text?.Trim().Replace(" ", ""), ignoreCase: true, out var state) ? state : null;
}
