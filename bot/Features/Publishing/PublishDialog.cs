using System.Text.Json.Nodes;
using PartnerBot.Api.Publishing;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Publishing;

/// <summary>
/// Publish: syncs the partner's repository (removing published modules whose folder is gone), lists every module
/// folder beside the published modules as new / changed / unchanged / invalid / blocked (by the module policy, each
/// reason with its file and line) / gone, and publishes (new) or updates
/// (changed) the ones chosen: several at once in a multi choice, or all new / all changed with one button.
/// </summary>
public sealed class PublishDialog(ModulePublisher publisher, ILogger<PublishDialog> logger)
    : Dialog<PublishState>(DialogId, PublishingStateJson.Default.PublishState)
{
    public const string DialogId = "publish";
    public const string FormPrefix = "publish-";
    public const string ModulesInputId = "modules";

    /// <summary><c>publish</c>: the list and the choice; <c>publish new</c> / <c>publish changed</c>: all new ones, or all changed ones, at once.</summary>
    public Task<DialogTurnResult> StartAsync(ChatRouteContext route, CancellationToken ct) => route.Arguments.ToLowerInvariant() switch
    {
        "new" => PublishByStatusAsync(route.Dialog, ModuleStatus.New, ct),
        "changed" => PublishByStatusAsync(route.Dialog, ModuleStatus.Changed, ct),
        _ => ShowListAsync(route.Dialog, ct),
    };

    public override async Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct)
    {
        var turn = dc.Turn;
        var state = State(dc);
        switch (turn.Verb)
        {
            case CardVerbs.FormOpen when state.Phase == PublishPhase.Choosing:
                return await ShowListAsync(dc, ct);
            case CardVerbs.FormCancel:
                await turn.SendTextAsync("Nothing was published.", ct);
                return await dc.EndDialogAsync(ct);
            case CardVerbs.FormSubmit or CardVerbs.FormNext when state.Phase == PublishPhase.Choosing && state.FormId is { } formId && (string?)turn.Data["formId"] == formId:
                var chosen = ((string?)(turn.Data[ModulesInputId] as JsonValue) ?? "")
                    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (chosen.Length == 0)
                {
                    await turn.SendTextAsync("Select at least one module first.", ct);
                    return DialogTurnResult.Waiting;
                }
                return await PublishAsync(dc, chosen, state.Sha, ct);
            case not null:
                return DialogTurnResult.Empty;
        }
        await turn.SendTextAsync("Please use the card above, or type **cancel** to stop.", ct);
        return DialogTurnResult.Waiting;
    }

    private async Task<DialogTurnResult> ShowListAsync(DialogContext dc, CancellationToken ct)
    {
        var turn = dc.Turn;
        var sync = await SyncAsync(dc, ct);
        if (sync is null) return await dc.EndDialogAsync(ct);
        var candidates = await publisher.CandidatesAsync(turn.User.Id, sync, ct);
        var state = State(dc);
        state.Sha = sync.Snapshot?.Sha;

        var publishable = candidates.Where(c => c.CanPublish).ToList();
        if (publishable.Count == 0)
        {
            await turn.SendAsync(ListCard(sync, candidates, candidates.Count == 0
                ? "There are no module folders in this repository yet (folders at the root or under modules/ holding .tf files)."
                : "Everything valid is published and up to date."), ct);
            return await dc.EndDialogAsync(ct);
        }

        // One message: the repository's modules with their status, and the choice with its Publish (or Update) button.
        var formId = FormPrefix + Guid.NewGuid().ToString("N")[..8];
        state.FormId = formId;
        state.Phase = PublishPhase.Choosing;
        var submit = SubmitLabel(publishable);
        var form = new UiForm(formId, "Publish modules",
        [
            new UiFormStep("modules", "Modules",
            [
                new UiInput(ModulesInputId, UiInputKind.MultiChoice, "Modules to " + submit.ToLowerInvariant(),
                    "New modules are published, changed ones updated.", Required: true, ErrorText: "Select at least one module.",
                    Options: publishable.Select(c => new UiChoice($"{c.Name} ({(c.Status == ModuleStatus.New ? "new" : "changed")})", c.Name)).ToList(),
                    Format: UiValueFormat.CommaList),
            ], ListText(sync, candidates) + $"\n\nSelect the modules, then {submit}."),
        ], submit);
        await turn.SendAsync(new UiFormStepElement(form, 0, new Dictionary<string, string?>(), new Dictionary<string, string>()).ToMessage(), ct);
        return DialogTurnResult.Waiting;
    }

    /// <summary><c>Update</c> when every module offered is already published (all of them changed), <c>Publish</c> otherwise.</summary>
    public static string SubmitLabel(IReadOnlyCollection<PublishCandidate> offered) =>
        offered.All(c => c.Published) ? "Update" : "Publish";

    private async Task<DialogTurnResult> PublishByStatusAsync(DialogContext dc, ModuleStatus wanted, CancellationToken ct)
    {
        var sync = await SyncAsync(dc, ct);
        if (sync is null) return await dc.EndDialogAsync(ct);
        var names = (await publisher.CandidatesAsync(dc.Turn.User.Id, sync, ct)).Where(c => c.CanPublish && c.Status == wanted).Select(c => c.Name).ToList();
        if (names.Count == 0)
        {
            await dc.Turn.SendTextAsync(wanted == ModuleStatus.New ? "There are no new modules to publish." : "There are no changed modules to update.", ct);
            return await dc.EndDialogAsync(ct);
        }
        return await PublishAsync(dc, names, sync.Snapshot?.Sha, ct, sync);
    }

    private async Task<DialogTurnResult> PublishAsync(DialogContext dc, IReadOnlyCollection<string> names, string? listedSha, CancellationToken ct,
        SyncResult? sync = null)
    {
        var turn = dc.Turn;
        sync ??= await SyncAsync(dc, ct);
        if (sync is null) return await dc.EndDialogAsync(ct);
        if (listedSha is not null && sync.Snapshot?.Sha != listedSha)
        {
            await turn.SendTextAsync("The repository changed since the list was shown. Here is the new list:", ct);
            return await ShowListAsync(dc, ct);
        }
        var result = await publisher.PublishAsync(turn.User.Id, sync, names, ct);
        var lines = new List<string>();
        if (result.Published.Count > 0) lines.Add("Published: " + string.Join(", ", result.Published.Select(n => "**" + UiMarkdown.Escape(n, 100) + "**")));
        if (result.Updated.Count > 0) lines.Add("Updated: " + string.Join(", ", result.Updated.Select(n => "**" + UiMarkdown.Escape(n, 100) + "**")));
        if (result.Skipped.Count > 0) lines.Add("Not published (invalid, blocked, gone, or a module of that name from elsewhere): " + string.Join(", ", result.Skipped.Select(n => UiMarkdown.Escape(n, 100))));
        logger.LogInformation("{UserId} published {Published} and updated {Updated} module(s) from {Repository}.", turn.User.Id,
            result.Published.Count, result.Updated.Count, sync.Repository.FullName);
        await turn.SendAsync(new UiMessage(string.Join(" ", lines),
            [new UiText(string.Join("\n\n", lines), result.Skipped.Count > 0 ? UiTextTone.Warning : UiTextTone.Good),
             new UiText("Published modules are in your **Partner modules** catalog, visible only to you (and admins).", UiTextTone.Subtle)],
            [new UiAction("Deploy a module", Deployments.DeploymentRoutes.Deploy), new UiAction("Publish more", PublishingRoutes.Publish)]), ct);
        return await dc.EndDialogAsync(ct);
    }

    /// <summary>The sync, or null after telling the partner why it failed (nothing in the catalog changed then).</summary>
    private async Task<SyncResult?> SyncAsync(DialogContext dc, CancellationToken ct)
    {
        try
        {
            return await publisher.SyncPartnerAsync(dc.Turn.User.Id, needSnapshot: true, ct);
        }
        catch (NotConnectedException e)
        {
            await dc.Turn.SendAsync(new UiMessage(e.Message, [new UiText(e.Message)], [new UiAction("GitHub settings", PublishingRoutes.GitHub, Style: UiActionStyle.Primary)]), ct);
            return null;
        }
        catch (GitHubFailure e)
        {
            await dc.Turn.SendAsync(SyncFailureCard(e), ct);
            return null;
        }
    }

    public static UiMessage SyncFailureCard(GitHubFailure failure) => ErrorCard.Build("Sync failed",
        failure.Message + " Nothing was changed in the catalog.",
        actions: failure.Kind is GitHubFailureKind.Unauthorized or GitHubFailureKind.NotFound
            ? [new UiAction("GitHub settings", PublishingRoutes.GitHub), new UiAction("Main menu", CardVerbs.Menu)]
            : [new UiAction("Try again", PublishingRoutes.Publish), new UiAction("Main menu", CardVerbs.Menu)]);

    private static UiMessage ListCard(SyncResult sync, IReadOnlyList<PublishCandidate> candidates, string note)
    {
        var body = new List<UiElement>
        {
            new UiHeading("Publish modules"),
            new UiText(RepositoryLine(sync)),
        };
        foreach (var candidate in candidates)
        {
            var (badge, tone) = Badge(candidate.Status);
            var detail = candidate.Problem ?? candidate.Description ?? "";
            if (candidate.Violations.Count > 0)
            {
                body.Add(new UiContainer(
                [
                    new UiText($"**{UiMarkdown.Escape(candidate.Name, 100)}** · {badge}" + (candidate.Published ? " (published)" : ""), tone),
                    new UiText(UiMarkdown.Escape(detail, 300), UiTextTone.Subtle),
                    new UiText(string.Join("\n", candidate.Violations.Take(10).Select(v =>
                        $"- {UiMarkdown.Escape(v.File, 100)} line {v.Line}: {UiMarkdown.Escape(v.Reason, 300)}"))
                        + (candidate.Violations.Count > 10 ? $"\n- and {candidate.Violations.Count - 10} more" : ""), UiTextTone.Attention),
                ], Separator: true));
                continue;
            }
            body.Add(new UiContainer(
            [
                new UiText($"**{UiMarkdown.Escape(candidate.Name, 100)}** · {badge}" + (candidate.Published && candidate.Status != ModuleStatus.Unchanged ? " (published)" : ""), tone),
                new UiText(UiMarkdown.Escape(candidate.Problem ?? candidate.Description ?? "", 300), UiTextTone.Subtle),
            ], Separator: true));
        }
        body.Add(new UiText(note));
        return new UiMessage($"Publish modules from {sync.Repository.FullName}: {Summary(candidates)}. {note}", body,
            [new UiAction("Deploy a module", Deployments.DeploymentRoutes.Deploy)]);
    }

    /// <summary>The list as plain text lines, for the description of the selection form.</summary>
    private static string ListText(SyncResult sync, IReadOnlyList<PublishCandidate> candidates) =>
        $"Repository {sync.Repository.FullName} at {ShortSha(sync)}{(sync.Unchanged ? " (unchanged since the last sync)" : "")}.\n" +
        string.Join("\n", candidates.Select(c =>
        {
            var detail = c.Problem ?? c.Description;
            return $"• {Shorten(c.Name, 100)} · {Badge(c.Status).Text}{(c.Published && c.Status != ModuleStatus.Unchanged ? " (published)" : "")}" +
                   (string.IsNullOrWhiteSpace(detail) ? "" : " — " + Shorten(detail, 160)) +
                   string.Concat(c.Violations.Take(10).Select(v => $"\n    - {Shorten(v.File, 100)} line {v.Line}: {Shorten(v.Reason, 300)}")) +
                   (c.Violations.Count > 10 ? $"\n    - and {c.Violations.Count - 10} more" : "");
        }));

    private static string RepositoryLine(SyncResult sync) =>
        $"Repository **{UiMarkdown.Escape(sync.Repository.FullName, 200)}** at `{ShortSha(sync)}`" + (sync.Unchanged ? " (unchanged since the last sync)." : ".");

    private static string ShortSha(SyncResult sync) => sync.Snapshot?.Sha[..Math.Min(7, sync.Snapshot.Sha.Length)] ?? "";

    private static (string Text, UiTextTone Tone) Badge(ModuleStatus status) => status switch
    {
        ModuleStatus.New => ("new", UiTextTone.Good),
        ModuleStatus.Changed => ("changed", UiTextTone.Warning),
        ModuleStatus.Unchanged => ("unchanged", UiTextTone.Subtle),
        ModuleStatus.Gone => ("gone", UiTextTone.Attention),
        ModuleStatus.Blocked => ("blocked", UiTextTone.Attention),
        _ => ("invalid", UiTextTone.Attention),
    };

    private static string Summary(IReadOnlyList<PublishCandidate> candidates) =>
        string.Join(", ", candidates.GroupBy(c => c.Status).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
