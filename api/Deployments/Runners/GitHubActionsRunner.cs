using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments.Runners.GitHubActions;
using PartnerBot.Api.Deployments.Runners.Isolation;
using PartnerBot.Api.Modules.Policy;

namespace PartnerBot.Api.Deployments.Runners;

/// <summary>
/// Runs a deployment as a GitHub Actions workflow run in <c>Deployments:GitHubActions:Repository</c> (the workflow and its
/// script are in <c>runners/github-actions/</c>). The plan step stores what the run may fetch (<see cref="RunnerRuns"/>),
/// dispatches the workflow, finds the run it created (its <c>run-name</c> holds the <c>run_key</c> input) and waits for
/// the run to report its plan; the run then keeps its plan file and waits. The apply step marks that run approved and
/// waits for its result. The run reports log lines and outputs to <c>POST /api/deployments/{id}/events</c>, and plan,
/// approval and result through <see cref="RunnerRunEndpoints"/>.
/// </summary>
public sealed class GitHubActionsRunner(
    IHttpClientFactory httpClients,
    IOptions<DeploymentOptions> options,
    IConfiguration configuration,
    RunnerRuns runs,
    TimeProvider clock,
    ILogger<GitHubActionsRunner> logger,
    ModulePolicy policy,
    IServiceProvider services) : IDeploymentRunner
{
    public const string HttpClientName = "PartnerBot.GitHubActions";

    public string Name => "GitHubActions";

    /// <summary>The plan stays in the waiting workflow run; the saved "plan" is a handle naming that run.</summary>
    public bool SavesPlans => true;

    public static string RunKey(RunRequest request) => $"{request.DeploymentId}.{request.BuildNumber}";

    /// <summary>What the apply step needs to find the run that made the plan.</summary>
    public sealed record PlanHandle(string RunKey, long RunId, string? RunUrl);

    public async Task<RunOutcome> RunAsync(RunRequest request, IRunObserver observer, CancellationToken ct)
    {
        if (policy.Check(request) is { } blocked) return blocked;
        if (request.IsPlanStep) return await PlanAsync(request, observer, ct);
        if (request.SavedPlan is null || JsonSerializer.Deserialize<PlanHandle>(request.SavedPlan, Json) is not { } handle)
            return new RunOutcome(RunResult.Failed, "The GitHub Actions runner applies only plans its own workflow run made.") { Internal = true };
        return await ApplyAsync(request, handle, observer, ct);
    }

    private async Task<RunOutcome> PlanAsync(RunRequest request, IRunObserver observer, CancellationToken ct)
    {
        var settings = options.Value.GitHubActions;
        using var http = CreateClient();
        var repository = settings.Repository.Trim('/');
        var runKey = RunKey(request);
        var (moduleRepository, commit, checkoutToken) = await CheckoutAsync(request, ct);
        await runs.CreateAsync(new RunnerRun
        {
            DeploymentId = request.DeploymentId,
            RunKey = runKey,
            Action = request.Step == RunStep.PlanDestroy ? "destroy" : "apply",
            ModuleName = request.Module.Name,
            ContentHash = request.Version?.ContentHash,
            ModuleRepository = moduleRepository,
            ModuleCommit = commit,
            ProtectedVariables = runs.Protect(request.Variables.ToJsonString()),
            SensitiveVariables = [.. request.SensitiveVariables],
            ProtectedCheckoutToken = checkoutToken is null ? null : runs.Protect(checkoutToken),
            CreatedAt = clock.GetUtcNow(),
        }, ct);

        var dispatchedAt = clock.GetUtcNow();
        var body = new JsonObject
        {
            ["ref"] = settings.Ref,
            ["inputs"] = new JsonObject
            {
                ["deployment_id"] = request.DeploymentId,
                ["run_key"] = runKey,
                ["action"] = request.Step == RunStep.PlanDestroy ? "destroy" : "apply",
                ["module_name"] = request.Module.Name,
                ["module_repository"] = moduleRepository ?? "",
                ["module_commit"] = commit ?? "",
            },
        };
        var dispatch = await http.PostAsJsonAsync($"repos/{repository}/actions/workflows/{Uri.EscapeDataString(settings.Workflow)}/dispatches", body, ct);
        if (!dispatch.IsSuccessStatusCode)
        {
            await StopAsync(request.DeploymentId, runKey, "The dispatch was refused.");
            return RunOutcome.Failed(
                $"GitHub refused to start the workflow {settings.Workflow} in {repository}: {(int)dispatch.StatusCode} {await ErrorMessageAsync(dispatch, ct)}");
        }
        await observer.LogAsync($"Dispatched workflow {settings.Workflow} in {repository} (run key {runKey}).", ct);

        var run = await FindRunAsync(http, repository, runKey, dispatchedAt, ct);
        if (run is null)
        {
            await StopAsync(request.DeploymentId, runKey, "The workflow run was not found.");
            return RunOutcome.Failed($"The workflow run for {runKey} did not appear within {settings.RunLookupTimeout}; check the workflow's run-name contains the run_key input.");
        }
        await runs.UpdateAsync(request.DeploymentId, runKey, r => r with { GitHubRunId = run.Id, GitHubRunUrl = run.HtmlUrl }, ct);
        await observer.ExternalRunAsync(run.Id.ToString(CultureInfo.InvariantCulture), run.HtmlUrl, ct);
        await observer.LogAsync($"Workflow run {run.Id}: {run.HtmlUrl}", ct);

        var handle = new PlanHandle(runKey, run.Id, run.HtmlUrl);
        return await FollowAsync(http, repository, request.DeploymentId, handle, observer, r => r.Plan is { } plan
            ? new RunOutcome(RunResult.Succeeded, "Planned: " + plan.Summary.Text + ".")
            {
                Plan = new SavedPlanFile(JsonSerializer.SerializeToUtf8Bytes(handle, Json), plan.Summary),
            }
            : null, ct);
    }

    private async Task<RunOutcome> ApplyAsync(RunRequest request, PlanHandle handle, IRunObserver observer, CancellationToken ct)
    {
        using var http = CreateClient();
        var repository = options.Value.GitHubActions.Repository.Trim('/');
        var now = clock.GetUtcNow();
        var approved = await runs.UpdateAsync(request.DeploymentId, handle.RunKey,
            r => r.Stopped is null && r.ApprovedAt is null ? r with { ApprovedAt = now } : null, ct);
        if (approved is null || approved.Stopped is not null)
            return new RunOutcome(RunResult.Stale, "The workflow run holding this plan is no longer waiting, so nothing was applied. Plan again.");
        await observer.ExternalRunAsync(handle.RunId.ToString(CultureInfo.InvariantCulture), handle.RunUrl, ct);
        await observer.LogAsync($"Plan approved; workflow run {handle.RunId} applies it.", ct);
        var destroying = request.Action == DeploymentAction.Destroy;
        var outcome = await FollowAsync(http, repository, request.DeploymentId, handle, observer, r => r.Result switch
        {
            { Result: "succeeded" } => new RunOutcome(RunResult.Succeeded, destroying ? "Destroyed." : "Applied."),
            { Result: "stale" } result => new RunOutcome(RunResult.Stale, result.Message ?? "The plan is stale; plan again."),
            { } result => RunOutcome.Failed(result.Message ?? "The workflow run failed."),
            _ => null,
        }, ct);
        await StopAsync(request.DeploymentId, handle.RunKey, "The run finished.");
        return outcome;
    }

    /// <summary>Polls the run's reports (and GitHub, for a run that ended without one) until <paramref name="done"/> answers.</summary>
    private async Task<RunOutcome> FollowAsync(HttpClient http, string repository, string deploymentId, PlanHandle handle,
        IRunObserver observer, Func<RunnerRun, RunOutcome?> done, CancellationToken ct)
    {
        var settings = options.Value.GitHubActions;
        try
        {
            while (true)
            {
                var reported = await runs.GetAsync(deploymentId, handle.RunKey, ct);
                if (reported is null) return RunOutcome.Failed($"The record of run {handle.RunKey} is gone.");
                if (done(reported) is { } outcome) return outcome;
                if (reported.Result is { Result: not "succeeded" } failed && reported.Plan is null)
                    return RunOutcome.Failed(failed.Message ?? "The workflow run failed before it made a plan.");

                var response = await http.GetAsync($"repos/{repository}/actions/runs/{handle.RunId}", ct);
                if (response.StatusCode == HttpStatusCode.NotFound)
                    return RunOutcome.Failed($"The workflow run {handle.RunId} was deleted before it finished.");
                if (response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<WorkflowRun>(Json, ct) is { Status: "completed" } run)
                {
                    // One more look: the report may have landed just before the run ended.
                    if (await runs.GetAsync(deploymentId, handle.RunKey, ct) is { } last && done(last) is { } late) return late;
                    await observer.LogAsync($"Workflow run {run.Id} concluded: {run.Conclusion}.", ct);
                    await StopAsync(deploymentId, handle.RunKey, "The workflow run ended.");
                    return run.Conclusion switch
                    {
                        "cancelled" => new RunOutcome(RunResult.Cancelled, $"The workflow run was cancelled: {run.HtmlUrl}"),
                        "timed_out" => new RunOutcome(RunResult.TimedOut, $"The workflow run timed out: {run.HtmlUrl}"),
                        _ => RunOutcome.Failed(reported.Result?.Message is { } message
                            ? $"{message} ({run.HtmlUrl})"
                            : $"The workflow run ended with '{run.Conclusion ?? "unknown"}' without reporting: {run.HtmlUrl}"),
                    };
                }
                if (!response.IsSuccessStatusCode)
                    logger.LogWarning("Polling workflow run {RunId} answered {Status}; trying again.", handle.RunId, (int)response.StatusCode);
                await Task.Delay(settings.PollInterval, clock, ct);
            }
        }
        catch (OperationCanceledException)
        {
            await StopAsync(deploymentId, handle.RunKey, "The deployment was cancelled.");
            await CancelRunAsync(http, repository, handle.RunId);
            throw;
        }
    }

    private async Task StopAsync(string deploymentId, string runKey, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await runs.UpdateAsync(deploymentId, runKey, r => r.Stopped is null ? r with { Stopped = reason } : null, timeout.Token);
        }
        catch (Exception e) when (e is PartnerBot.Api.Storage.StorageException or OperationCanceledException)
        {
            logger.LogWarning(e, "Could not mark run {RunKey} stopped.", runKey);
        }
    }

    /// <summary>
    /// Where the run gets the module: a GitHub repository module is cloned at its pinned commit (with the platform token,
    /// or the owning partner's connected token); any other module's pinned files are fetched from the bot.
    /// </summary>
    private async Task<(string? Repository, string? Commit, string? Token)> CheckoutAsync(RunRequest request, CancellationToken ct)
    {
        if (request.Version is not { Source: var source, Revision: var commit } || !source.StartsWith("github:", StringComparison.Ordinal)
            || commit.Length < 7 || !commit.All(char.IsAsciiHexDigit))
            return (null, null, null);
        var fullName = source["github:".Length..];
        var baseUrl = options.Value.GitHubActions.GitBaseUrl;
        var url = (baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/") + fullName + ".git";
        string? token;
        if (request.Module.Owner == Catalog.ModuleCatalog.PlatformOwner)
            token = configuration["GitHub:PlatformToken"] is { Length: > 0 } platform ? platform : null;
        else if (services.GetService(typeof(Publishing.GitHubConnections)) is Publishing.GitHubConnections connections
                 && await connections.GetAsync(request.Module.Owner, ct) is { } connection)
            token = connections.RevealToken(connection);
        else token = null;
        return (url, commit, token);
    }

    private async Task<WorkflowRun?> FindRunAsync(HttpClient http, string repository, string runKey, DateTimeOffset dispatchedAt,
        CancellationToken ct)
    {
        var settings = options.Value.GitHubActions;
        var deadline = clock.GetUtcNow() + settings.RunLookupTimeout;
        // GitHub's clock and ours may differ a little; look a couple of minutes back.
        var since = dispatchedAt.AddMinutes(-2).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        while (true)
        {
            var response = await http.GetAsync(
                $"repos/{repository}/actions/runs?event=workflow_dispatch&created=%3E%3D{Uri.EscapeDataString(since)}&per_page=50", ct);
            if (response.IsSuccessStatusCode)
            {
                var list = await response.Content.ReadFromJsonAsync<WorkflowRunList>(Json, ct);
                var run = list?.WorkflowRuns.FirstOrDefault(r => (r.DisplayTitle ?? r.Name ?? "").Contains(runKey, StringComparison.Ordinal));
                if (run is not null) return run;
            }
            else
            {
                logger.LogWarning("Listing workflow runs answered {Status}; trying again.", (int)response.StatusCode);
            }
            if (clock.GetUtcNow() >= deadline) return null;
            await Task.Delay(settings.PollInterval, clock, ct);
        }
    }

    private async Task CancelRunAsync(HttpClient http, string repository, long runId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var response = await http.PostAsync($"repos/{repository}/actions/runs/{runId}/cancel", null, timeout.Token);
            logger.LogInformation("Asked GitHub to cancel workflow run {RunId}: {Status}.", runId, (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            logger.LogWarning(e, "Cancelling workflow run {RunId} failed.", runId);
        }
    }

    private HttpClient CreateClient()
    {
        var http = httpClients.CreateClient(HttpClientName);
        var baseUrl = configuration["GitHub:ApiBaseUrl"] is { Length: > 0 } configured ? configured : "https://api.github.com/";
        http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("PartnerBot", "1.0"));
        http.DefaultRequestHeaders.Add("X-GitHub-Api-Version", "2022-11-28");
        if (configuration["GitHub:PlatformToken"] is { Length: > 0 } token)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
            return body?["message"]?.GetValue<string>() ?? response.ReasonPhrase ?? "";
        }
        catch (JsonException)
        {
            return response.ReasonPhrase ?? "";
        }
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record WorkflowRunList([property: JsonPropertyName("workflow_runs")] List<WorkflowRun> WorkflowRuns);

    private sealed record WorkflowRun(
        long Id,
        string? Name,
        [property: JsonPropertyName("display_title")] string? DisplayTitle,
        string? Status,
        string? Conclusion,
        [property: JsonPropertyName("html_url")] string? HtmlUrl);
}
