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
using PartnerBot.Api.Deployments.Runners.Isolation;
using PartnerBot.Api.Modules.Policy;

namespace PartnerBot.Api.Deployments.Runners;

/// <summary>
/// Runs a deployment as a GitHub Actions workflow run in <c>Deployments:GitHubActions:Repository</c>: dispatches the
/// workflow, finds the run it created (the workflow's <c>run-name</c> must contain the <c>run_key</c> input), then polls
/// it to its conclusion. The workflow reports log lines and outputs to <c>POST /api/deployments/{id}/events</c>,
/// signed with the deployment's callback secret (see <see cref="DeploymentSecrets"/>).
/// </summary>
public sealed class GitHubActionsRunner(
    IHttpClientFactory httpClients,
    IOptions<DeploymentOptions> options,
    IConfiguration configuration,
    DeploymentSecrets secrets,
    TimeProvider clock,
    ILogger<GitHubActionsRunner> logger,
    ModulePolicy policy) : IDeploymentRunner
{
    public const string HttpClientName = "PartnerBot.GitHubActions";

    public string Name => "GitHubActions";

    /// <summary>The workflow applies or destroys in one run; it does not return saved plans.</summary>
    public bool SavesPlans => false;

    public static string RunKey(RunRequest request) => $"{request.DeploymentId}.{request.BuildNumber}";

    public async Task<RunOutcome> RunAsync(RunRequest request, IRunObserver observer, CancellationToken ct)
    {
        if (policy.Check(request) is { } blocked) return blocked;
        var settings = options.Value.GitHubActions;
        using var http = CreateClient();
        var repository = settings.Repository.Trim('/');
        var workflow = Uri.EscapeDataString(settings.Workflow);
        var runKey = RunKey(request);
        var dispatchedAt = clock.GetUtcNow();

        var dispatch = await http.PostAsJsonAsync($"repos/{repository}/actions/workflows/{workflow}/dispatches",
            DispatchBody(request, settings.Ref, runKey), ct);
        if (!dispatch.IsSuccessStatusCode)
            return RunOutcome.Failed(
                $"GitHub refused to start the workflow {settings.Workflow} in {repository}: {(int)dispatch.StatusCode} {await ErrorMessageAsync(dispatch, ct)}");
        await observer.LogAsync($"Dispatched workflow {settings.Workflow} in {repository} (run key {runKey}).", ct);

        var run = await FindRunAsync(http, repository, runKey, dispatchedAt, ct);
        if (run is null)
            return RunOutcome.Failed($"The workflow run for {runKey} did not appear within {settings.RunLookupTimeout}; check the workflow's run-name contains the run_key input.");
        await observer.ExternalRunAsync(run.Id.ToString(CultureInfo.InvariantCulture), run.HtmlUrl, ct);
        await observer.LogAsync($"Workflow run {run.Id}: {run.HtmlUrl}", ct);

        try
        {
            while (run.Status != "completed")
            {
                await Task.Delay(settings.PollInterval, clock, ct);
                var response = await http.GetAsync($"repos/{repository}/actions/runs/{run.Id}", ct);
                if (response.StatusCode == HttpStatusCode.NotFound)
                    return RunOutcome.Failed($"The workflow run {run.Id} was deleted before it finished.");
                if (!response.IsSuccessStatusCode)
                {
                    logger.LogWarning("Polling workflow run {RunId} answered {Status}; trying again.", run.Id, (int)response.StatusCode);
                    continue;
                }
                run = await response.Content.ReadFromJsonAsync<WorkflowRun>(Json, ct) ?? run;
            }
        }
        catch (OperationCanceledException)
        {
            await CancelRunAsync(http, repository, run.Id);
            throw;
        }

        await observer.LogAsync($"Workflow run {run.Id} concluded: {run.Conclusion}.", ct);
        return run.Conclusion switch
        {
            "success" => new RunOutcome(RunResult.Succeeded, request.Action == DeploymentAction.Destroy ? "Destroyed." : "Applied."),
            "cancelled" => new RunOutcome(RunResult.Cancelled, $"The workflow run was cancelled: {run.HtmlUrl}"),
            "timed_out" => new RunOutcome(RunResult.TimedOut, $"The workflow run timed out: {run.HtmlUrl}"),
            _ => RunOutcome.Failed($"The workflow run ended with '{run.Conclusion ?? "unknown"}': {run.HtmlUrl}"),
        };
    }

    private JsonObject DispatchBody(RunRequest request, string gitRef, string runKey)
    {
        var plain = new JsonObject();
        var sensitive = new JsonObject();
        var secretNames = request.SensitiveVariables.ToHashSet(StringComparer.Ordinal);
        foreach (var (name, value) in request.Variables)
            (secretNames.Contains(name) ? sensitive : plain)[name] = value?.DeepClone();

        var publicBase = (configuration["PublicBaseUrl"] ?? "http://localhost:3978").TrimEnd('/');
        return new JsonObject
        {
            ["ref"] = gitRef,
            ["inputs"] = new JsonObject
            {
                ["deployment_id"] = request.DeploymentId,
                ["run_key"] = runKey,
                ["action"] = request.Action.ToString().ToLowerInvariant(),
                ["module_owner"] = request.Module.Owner,
                ["module_name"] = request.Module.Name,
                ["variables"] = plain.ToJsonString(),
                ["sensitive_variables"] = sensitive.Count == 0 ? "" : secrets.SealForRunner(request.DeploymentId, sensitive),
                ["callback_url"] = $"{publicBase}/api/deployments/{Uri.EscapeDataString(request.DeploymentId)}/events",
            },
        };
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
