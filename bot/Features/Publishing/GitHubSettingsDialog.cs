using System.Globalization;
using System.Text.Json.Nodes;
using PartnerBot.Api.Publishing;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Publishing;

/// <summary>
/// GitHub settings: the connection as it stands → a masked token field (checked against GitHub, stored encrypted, never
/// shown again but as <c>ghp_…abcd</c>) → the repositories the token can read (a dropdown; a search above it when there
/// are more than 100) → the chosen repository is saved, and modules of a previously chosen one leave the catalog.
/// </summary>
public sealed class GitHubSettingsDialog(GitHubConnections connections, GitHubApiClient github, ModulePublisher publisher,
    ILogger<GitHubSettingsDialog> logger) : Dialog<GitHubSettingsState>(DialogId, PublishingStateJson.Default.GitHubSettingsState)
{
    public const string DialogId = "github";
    public const string TokenFormPrefix = "github-token-";
    public const string RepositoryFormPrefix = "github-repo-";
    public const string TokenInputId = "token";
    public const string RepositoryInputId = "repository";
    public const string SearchInputId = "repositorySearch";
    public const int DropdownLimit = 100;

    /// <summary>The connection as it stands, and the token form.</summary>
    public async Task<DialogTurnResult> StartAsync(ChatRouteContext route, CancellationToken ct)
    {
        var connection = await connections.GetAsync(route.Turn.User.Id, ct);
        await route.Turn.SendAsync(StatusCard(connection), ct);
        return await ShowTokenFormAsync(route.Dialog, State(route.Dialog), connection is not null, null, ct);
    }

    /// <summary>"Choose repository" and the repository search; without a token yet, the settings as on <c>github</c>.</summary>
    public async Task<DialogTurnResult> RepositoriesAsync(ChatRouteContext route, CancellationToken ct)
    {
        if (route.Started && (await connections.GetAsync(route.Turn.User.Id, ct))?.ProtectedToken is null) return await StartAsync(route, ct);
        return await ShowRepositoriesAsync(route.Dialog, State(route.Dialog), (string?)route.Data[SearchInputId], ct);
    }

    public override async Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct)
    {
        var turn = dc.Turn;
        var state = State(dc);
        switch (turn.Verb)
        {
            case CardVerbs.FormOpen when state.Phase == GitHubSettingsPhase.Repositories:
                return await ShowRepositoriesAsync(dc, state, null, ct);
            case CardVerbs.FormOpen:
                return await ShowTokenFormAsync(dc, state, replacing: true, null, ct);
            case CardVerbs.FormCancel:
                await turn.SendTextAsync("Nothing was changed.", ct);
                return await dc.EndDialogAsync(ct);
            case CardVerbs.FormSubmit or CardVerbs.FormNext when state.TokenFormId is { } tokenForm && (string?)turn.Data["formId"] == tokenForm:
                return await TokenSubmittedAsync(dc, state, ct);
            case CardVerbs.FormSubmit or CardVerbs.FormNext when state.RepositoryFormId is { } repositoryForm && (string?)turn.Data["formId"] == repositoryForm:
                return await RepositoryChosenAsync(dc, state, ct);
            case not null:
                return DialogTurnResult.Empty;
        }
        if (turn.Verb is null && state.Phase == GitHubSettingsPhase.Repositories && turn.Text.Length > 0)
            return await ShowRepositoriesAsync(dc, state, turn.Text, ct);
        await turn.SendTextAsync("Please use the card above (never paste a token into the chat), or type **cancel** to stop.", ct);
        return DialogTurnResult.Waiting;
    }

    private async Task<DialogTurnResult> TokenSubmittedAsync(DialogContext dc, GitHubSettingsState state, CancellationToken ct)
    {
        var turn = dc.Turn;
        var token = ((string?)(turn.Data[TokenInputId] as JsonValue))?.Trim() ?? "";
        // The submitted card value holds the token: keep it out of the stored transcript.
        await turn.Responder.RedactInputAsync(ct);
        if (token.Length == 0)
            return await ShowTokenFormAsync(dc, state, true, "Enter a personal access token.", ct);
        if (!GitHubTokens.LooksLikeToken(token))
            return await ShowTokenFormAsync(dc, state, true, "That is not a GitHub token: it should look like ghp_… or github_pat_… with no spaces.", ct);

        GitHubTokenOwner owner;
        try
        {
            owner = await github.GetTokenOwnerAsync(token, ct);
        }
        catch (GitHubFailure e) when (e.Kind == GitHubFailureKind.Unauthorized)
        {
            return await ShowTokenFormAsync(dc, state, true,
                "GitHub does not accept this token (it is revoked, expired or incomplete). Check that you copied all of it, or create a new one.", ct);
        }
        catch (GitHubFailure e)
        {
            await turn.SendAsync(ErrorCard.Build("GitHub did not answer", e.Message + " Your settings were not changed."), ct);
            return await dc.EndDialogAsync(ct);
        }

        if (owner.Scopes is { } scopes && !scopes.Contains("repo", StringComparer.Ordinal))
        {
            var has = scopes.Count == 0 ? "no scopes" : "only " + string.Join(", ", scopes);
            return await ShowTokenFormAsync(dc, state, true,
                $"This classic token is missing the repo scope (it has {has}). On GitHub, edit the token (Settings → Developer settings → " +
                "Personal access tokens), tick repo, and enter it again.", ct);
        }

        var saved = await connections.SaveTokenAsync(turn.User.Id, token, owner.Login, ct);
        logger.LogInformation("GitHub token {Hint} connected for {UserId} as {Login}.", saved.TokenHint, turn.User.Id, owner.Login);
        var scopeNote = owner.Scopes is null
            ? " It is a fine-grained token: I check that it can read your repository's contents when you choose it."
            : "";
        await turn.SendAsync(new UiMessage("GitHub connected",
            [new UiText($"✅ Connected to GitHub as **{UiMarkdown.Escape(owner.Login, 100)}** with token `{saved.TokenHint}`. " +
                        "The token is stored encrypted and is never shown again." + scopeNote, UiTextTone.Good)], []), ct);
        return await ShowRepositoriesAsync(dc, state, null, ct);
    }

    private async Task<DialogTurnResult> ShowRepositoriesAsync(DialogContext dc, GitHubSettingsState state, string? search, CancellationToken ct)
    {
        var turn = dc.Turn;
        var connection = await connections.GetAsync(turn.User.Id, ct);
        var token = connection is null ? null : connections.RevealToken(connection);
        if (connection is null || token is null)
            return await ShowTokenFormAsync(dc, state, false, "Enter a personal access token first.", ct);

        IReadOnlyList<GitHubRepository> repositories;
        try
        {
            repositories = await github.ListRepositoriesAsync(token, ct);
        }
        catch (GitHubFailure e)
        {
            await turn.SendAsync(ErrorCard.Build("Could not list your repositories", e.Message, actions: [new UiAction("GitHub settings", PublishingRoutes.GitHub)]), ct);
            return await dc.EndDialogAsync(ct);
        }
        if (repositories.Count == 0)
        {
            await turn.SendTextAsync("This token cannot read any repository. Give it access to your modules repository on GitHub, then type **github** again.", ct);
            return await dc.EndDialogAsync(ct);
        }

        var query = search?.Trim() ?? "";
        var large = repositories.Count > DropdownLimit;
        var shown = repositories
            .Where(r => query.Length == 0 || r.FullName.Contains(query, StringComparison.OrdinalIgnoreCase))
            .Take(DropdownLimit)
            .ToList();
        if (large)
        {
            var found = query.Length == 0
                ? $"Your token can read {repositories.Count} repositories; the list below shows the first {DropdownLimit}. Search to narrow it down."
                : $"{shown.Count} of {repositories.Count} repositories match \"{UiMarkdown.Escape(query, 60)}\".";
            await turn.SendAsync(new UiMessage("Search your repositories",
                [
                    new UiText(found),
                    new UiTextInput(SearchInputId, "Search repositories", new UiAction("Search", PublishingRoutes.SearchRepositories), query, "owner/name"),
                ], []), ct);
        }
        if (shown.Count == 0)
        {
            state.Phase = GitHubSettingsPhase.Repositories;
            await turn.SendTextAsync("No repository matches that search. Try another word.", ct);
            return DialogTurnResult.Waiting;
        }

        var formId = RepositoryFormPrefix + Guid.NewGuid().ToString("N")[..8];
        state.Phase = GitHubSettingsPhase.Repositories;
        state.RepositoryFormId = formId;
        state.Offered = shown.Select(r => r.FullName).ToList();
        var current = connection.Repository is { } chosen && shown.Any(r => r.FullName == chosen) ? chosen : null;
        var form = new UiForm(formId, "Choose your modules repository",
        [
            new UiFormStep("repository", "Repository",
            [
                new UiInput(RepositoryInputId, UiInputKind.Choice, "Repository", "Modules from this repository are visible only to you (and admins).",
                    current, Required: true, ErrorText: "Choose a repository.",
                    Options: shown.Select(r => new UiChoice(r.FullName + (r.Private ? " (private)" : ""), r.FullName)).ToList()),
            ], "Every folder at the root and every folder under modules/ is a candidate module."),
        ]);
        await turn.SendAsync(new UiFormStepElement(form, 0, new Dictionary<string, string?>(), new Dictionary<string, string>()).ToMessage(), ct);
        return DialogTurnResult.Waiting;
    }

    private async Task<DialogTurnResult> RepositoryChosenAsync(DialogContext dc, GitHubSettingsState state, CancellationToken ct)
    {
        var turn = dc.Turn;
        var chosen = ((string?)(turn.Data[RepositoryInputId] as JsonValue))?.Trim() ?? "";
        var offered = state.Offered.ToHashSet(StringComparer.Ordinal);
        if (!offered.Contains(chosen) || !RepositoryName.TryParse(chosen, out var repository))
        {
            await turn.SendTextAsync("Please choose one of the repositories in the list.", ct);
            return DialogTurnResult.Waiting;
        }
        var connection = await connections.GetAsync(turn.User.Id, ct);
        var token = connection is null ? null : connections.RevealToken(connection);
        if (connection is null || token is null)
            return await ShowTokenFormAsync(dc, state, false, "Enter a personal access token first.", ct);

        if (connection.TokenKind != GitHubTokenKind.Classic)
        {
            try
            {
                if (!await github.CanReadContentsAsync(token, repository, ct))
                {
                    await turn.SendAsync(ErrorCard.Build("The token cannot read this repository",
                        $"Your fine-grained token cannot read the contents of {repository.FullName}. On GitHub, edit the token: add this repository " +
                        "under \"Repository access\" and give it \"Contents: Read-only\" permission. Then choose it again.",
                        actions: [new UiAction("Choose again", PublishingRoutes.Repositories)]), ct);
                    return DialogTurnResult.Waiting;
                }
            }
            catch (GitHubFailure e)
            {
                await turn.SendAsync(ErrorCard.Build("GitHub did not answer", e.Message + " Your settings were not changed."), ct);
                return DialogTurnResult.Waiting;
            }
        }

        var removed = 0;
        if (connection.ChosenRepository() is { } previous && !string.Equals(previous.FullName, repository.FullName, StringComparison.OrdinalIgnoreCase))
            removed = await publisher.RemoveRepositoryModulesAsync(turn.User.Id, previous, ct);
        await connections.SaveRepositoryAsync(turn.User.Id, repository, ct);
        var removedNote = removed > 0
            ? $" The {removed} module{(removed == 1 ? "" : "s")} published from {UiMarkdown.Escape(connection.Repository, 200)} left the catalog (running deployments are not touched)."
            : "";
        await turn.SendAsync(new UiMessage($"Repository {repository.FullName} chosen",
            [
                new UiText($"✅ Repository **{UiMarkdown.Escape(repository.FullName, 200)}** is saved.{removedNote} Its modules are visible only to you " +
                           "(and admins) once you publish them.", UiTextTone.Good),
            ],
            [new UiAction("Publish modules", PublishingRoutes.Publish, Style: UiActionStyle.Primary)]), ct);
        return await dc.EndDialogAsync(ct);
    }

    private static async Task<DialogTurnResult> ShowTokenFormAsync(DialogContext dc, GitHubSettingsState state, bool replacing, string? error, CancellationToken ct)
    {
        var formId = TokenFormPrefix + Guid.NewGuid().ToString("N")[..8];
        state.Phase = GitHubSettingsPhase.Token;
        state.TokenFormId = formId;
        var form = new UiForm(formId, replacing ? "Enter a new GitHub token" : "Connect GitHub",
        [
            new UiFormStep("token", "Personal access token",
            [
                new UiInput(TokenInputId, UiInputKind.Secret, "Personal access token",
                    "A classic token with the repo scope, or a fine-grained token with Contents: Read-only on your modules repository. " +
                    "It is stored encrypted and never shown again.",
                    Required: true, ErrorText: "Enter a personal access token.", Placeholder: "ghp_… or github_pat_…", MaxLength: 255),
            ], "Create one on GitHub under Settings → Developer settings → Personal access tokens."),
        ]);
        var errors = error is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [TokenInputId] = error };
        await dc.Turn.SendAsync(new UiFormStepElement(form, 0, new Dictionary<string, string?>(), errors).ToMessage(), ct);
        return DialogTurnResult.Waiting;
    }

    private static UiMessage StatusCard(GitHubConnection? connection)
    {
        if (connection?.ProtectedToken is null)
            return new UiMessage("GitHub settings: not connected",
                [
                    new UiHeading("GitHub settings"),
                    new UiText("Connect a GitHub repository to publish your own modules. Enter a personal access token below " +
                               "(never paste it into the chat)."),
                ], []);
        var facts = new List<UiFact>
        {
            new("Account", connection.Login ?? "?"),
            new("Token", connection.TokenHint ?? "?"),
            new("Repository", connection.Repository ?? "not chosen yet"),
        };
        if (connection.LastSyncAt is { } at) facts.Add(new UiFact("Last sync", at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC"));
        var body = new List<UiElement> { new UiHeading("GitHub settings"), new UiFactSet(facts) };
        if (connection.LastSyncProblem is { } problem) body.Add(new UiText("Last sync failed: " + UiMarkdown.Escape(problem, 500), UiTextTone.Warning));
        body.Add(new UiText("To replace the token, enter a new one below.", UiTextTone.Subtle));
        return new UiMessage("GitHub settings", body,
            [new UiAction("Choose repository", PublishingRoutes.Repositories), new UiAction("Publish modules", PublishingRoutes.Publish)]);
    }
}
