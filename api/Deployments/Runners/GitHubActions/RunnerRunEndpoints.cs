using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Api.Deployments.Versions;
using PartnerBot.Api.Http;

namespace PartnerBot.Api.Deployments.Runners.GitHubActions;

/// <summary>
/// What a workflow run fetches from and reports to the bot, under <c>/api/deployments/{id}/runs/{runKey}/</c>, each
/// authenticated with the run's token (<see cref="RunnerRunTokens"/>), never an API key. Plain-text answers, so the
/// run script needs only bash and curl:
/// <list type="bullet">
/// <item><c>GET environment</c>: lines <c>KIND NAME BASE64</c> (<c>backend type</c>, <c>config ARG</c>, <c>env VAR</c>,
/// <c>git_token -</c>, <c>mask -</c>);</item>
/// <item><c>GET variables</c>: <c>terraform.tfvars.json</c>; <c>GET module</c>: the pinned files as <c>.tar.gz</c>;</item>
/// <item><c>POST plan</c>: <c>terraform show -json</c> of the saved plan (only its summary is kept);</item>
/// <item><c>GET approval</c>: <c>wait</c>, <c>apply</c>, or <c>stop</c> and a reason on the second line;</item>
/// <item><c>POST result</c>: <c>succeeded</c>, <c>failed</c> or <c>stale</c>, then a message.</item>
/// </list>
/// </summary>
public static class RunnerRunEndpoints
{
    public const string Route = "/api/deployments/{id}/runs/{runKey}";

    private static readonly DeploymentState[] StillWaiting =
    [
        DeploymentState.Queued, DeploymentState.Pending, DeploymentState.Planning, DeploymentState.PlanReady,
        DeploymentState.Working, DeploymentState.Deleting,
    ];

    public static IEndpointRouteBuilder MapRunnerRunEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var runs = endpoints.MapGroup(Route).WithTags("Runners").ExcludeFromDescription()
            .WithRequestBodyLimit(RequestBodyGroup.RunnerCallbacks);
        runs.MapGet("/environment", EnvironmentAsync).WithName("GetRunnerEnvironment");
        runs.MapGet("/variables", VariablesAsync).WithName("GetRunnerVariables");
        runs.MapGet("/module", ModuleAsync).WithName("GetRunnerModule");
        runs.MapPost("/plan", PlanAsync).WithName("ReportRunnerPlan").WithRequestBodyLimit(RequestBodyGroup.RunnerPlan);
        runs.MapGet("/approval", ApprovalAsync).WithName("GetRunnerApproval");
        runs.MapPost("/result", ResultAsync).WithName("ReportRunnerResult");
        return endpoints;
    }

    private static async Task<(RunnerRun? Run, IResult? Problem)> AdmitAsync(string id, string runKey, HttpRequest request,
        DeploymentSecrets secrets, RunnerRunTokens tokens, RunnerRuns runs, CancellationToken ct)
    {
        if (!secrets.CallbacksEnabled)
            return (null, ApiProblems.NotFound("Runner callbacks are not enabled (Deployments:GitHubActions:CallbackSecret is empty)."));
        if (!tokens.Verify(id, runKey, request.Headers.Authorization.ToString()))
            return (null, ApiProblems.Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
                "Send Authorization: Bearer <the run's token, derived from Deployments:GitHubActions:CallbackSecret>."));
        var run = await runs.GetAsync(id, runKey, ct);
        return run is null ? (null, ApiProblems.NotFound($"There is no run {runKey} of deployment {id}.")) : (run, null);
    }

    private static async Task<IResult> EnvironmentAsync(string id, string runKey, HttpRequest request, DeploymentSecrets secrets,
        RunnerRunTokens tokens, RunnerRuns runs, TerraformBackendConfiguration backends, CancellationToken ct)
    {
        var (run, problem) = await AdmitAsync(id, runKey, request, secrets, tokens, runs, ct);
        if (problem is not null) return problem;
        if (run!.Stopped is not null) return ApiProblems.Conflict("This run was stopped: " + run.Stopped);
        var backend = await backends.ForDeploymentAsync(id, ct);
        var text = new StringBuilder();
        void Line(string kind, string name, string value) =>
            text.Append(kind).Append(' ').Append(name).Append(' ').Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(value))).Append('\n');
        Line("backend", "type", backend.BackendType);
        foreach (var (key, value) in backend.BackendConfig) Line("config", key, value);
        foreach (var (name, value) in backend.Environment) Line("env", name, value);
        if (run.ProtectedCheckoutToken is { } token) Line("git_token", "-", runs.Unprotect(token));
        var variables = JsonNode.Parse(runs.Unprotect(run.ProtectedVariables)) as JsonObject ?? [];
        foreach (var name in run.SensitiveVariables)
            if (variables[name] is JsonNode value && (value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString()) is { Length: >= 4 } secret)
                Line("mask", "-", secret);
        return Results.Text(text.ToString(), "text/plain; charset=utf-8");
    }

    private static async Task<IResult> VariablesAsync(string id, string runKey, HttpRequest request, DeploymentSecrets secrets,
        RunnerRunTokens tokens, RunnerRuns runs, CancellationToken ct)
    {
        var (run, problem) = await AdmitAsync(id, runKey, request, secrets, tokens, runs, ct);
        if (problem is not null) return problem;
        if (run!.Stopped is not null) return ApiProblems.Conflict("This run was stopped: " + run.Stopped);
        return Results.Text(runs.Unprotect(run.ProtectedVariables), "application/json");
    }

    private static async Task<IResult> ModuleAsync(string id, string runKey, HttpRequest request, DeploymentSecrets secrets,
        RunnerRunTokens tokens, RunnerRuns runs, ModuleVersions versions, TimeProvider clock, CancellationToken ct)
    {
        var (run, problem) = await AdmitAsync(id, runKey, request, secrets, tokens, runs, ct);
        if (problem is not null) return problem;
        var pinned = run!.ContentHash is { } hash
            ? await versions.LoadAsync(run.ModuleName, new ModuleVersion(hash, hash, "", clock.GetUtcNow()), ct)
            : null;
        if (pinned is null) return ApiProblems.NotFound($"The pinned files of {run.ModuleName} are not stored.");
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in pinned.Files)
            {
                if (!Modules.ModuleFiles.IsModulePath(name.Replace('\\', '/'))) continue;
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name.Replace('\\', '/'))
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                };
                await tar.WriteEntryAsync(entry, ct);
            }
        }
        return Results.Bytes(buffer.ToArray(), "application/gzip");
    }

    private static async Task<IResult> PlanAsync(string id, string runKey, HttpRequest request, DeploymentSecrets secrets,
        RunnerRunTokens tokens, RunnerRuns runs, TimeProvider clock, IOptions<RequestBodyLimitOptions> limits, CancellationToken ct)
    {
        var (run, problem) = await AdmitAsync(id, runKey, request, secrets, tokens, runs, ct);
        if (problem is not null) return problem;
        if (run!.Stopped is not null) return ApiProblems.Conflict("This run was stopped: " + run.Stopped);
        // Held to Http:RequestBodyLimits:RunnerPlan while it streams in (RequestBodyLimitMiddleware).
        string json;
        try
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            json = await reader.ReadToEndAsync(ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "Request too large",
                $"A plan is limited to {RequestBodyLimitMiddleware.Describe(limits.Value.RunnerPlan)} (Http:RequestBodyLimits:RunnerPlan).");
        }
        PlanSummary summary;
        try { summary = PlanJson.Summarize(json); }
        catch (JsonException) { return ApiProblems.BadRequest("The body must be the output of terraform show -json PLANFILE."); }
        var now = clock.GetUtcNow();
        await runs.UpdateAsync(id, runKey, r => r.Plan is null ? r with { Plan = new ReportedPlan(summary, now) } : null, ct);
        return Results.Text($"{summary.Text}\n", "text/plain", statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> ApprovalAsync(string id, string runKey, HttpRequest request, DeploymentSecrets secrets,
        RunnerRunTokens tokens, RunnerRuns runs, DeploymentRepository deployments, IOptions<DeploymentOptions> options,
        TimeProvider clock, CancellationToken ct)
    {
        var (run, problem) = await AdmitAsync(id, runKey, request, secrets, tokens, runs, ct);
        if (problem is not null) return problem;
        if (run!.Stopped is { } stopped) return Decision("stop", stopped);
        if (run.ApprovedAt is not null) return Decision("apply", "The plan was approved.");
        var deployment = (await deployments.FindAsync(id, ct))?.Deployment;
        if (deployment is null) return Decision("stop", "The deployment is gone.");
        if (run.Plan is { } plan && clock.GetUtcNow() - plan.At > options.Value.PlanTtl + TimeSpan.FromMinutes(5))
            return Decision("stop", "The plan expired.");
        return StillWaiting.Contains(deployment.State)
            ? Decision("wait", $"The deployment is {deployment.State}.")
            : Decision("stop", $"The plan was not applied: the deployment is {deployment.State}.");
    }

    private static IResult Decision(string decision, string reason) => Results.Text($"{decision}\n{reason}\n", "text/plain");

    private static async Task<IResult> ResultAsync(string id, string runKey, HttpRequest request, DeploymentSecrets secrets,
        RunnerRunTokens tokens, RunnerRuns runs, TimeProvider clock, IOptions<RequestBodyLimitOptions> limits, CancellationToken ct)
    {
        var (run, problem) = await AdmitAsync(id, runKey, request, secrets, tokens, runs, ct);
        if (problem is not null) return problem;
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[8192];
        int read;
        try { read = await reader.ReadBlockAsync(buffer, ct); }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "Request too large",
                $"A result is limited to {RequestBodyLimitMiddleware.Describe(limits.Value.RunnerCallbacks)} (Http:RequestBodyLimits:RunnerCallbacks).");
        }
        var lines = new string(buffer, 0, read).Split('\n', 2);
        var result = lines[0].Trim();
        if (result is not ("succeeded" or "failed" or "stale"))
            return ApiProblems.BadRequest("The first line must be succeeded, failed or stale.");
        var message = lines.Length > 1 ? lines[1].Trim() : null;
        var now = clock.GetUtcNow();
        await runs.UpdateAsync(id, runKey, r => r.Result is null ? r with { Result = new ReportedResult(result, message, now) } : null, ct);
        return Results.Text("recorded\n", "text/plain", statusCode: StatusCodes.Status202Accepted);
    }
}
