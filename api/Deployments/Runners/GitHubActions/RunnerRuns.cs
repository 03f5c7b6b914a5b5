using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Deployments.Runners.GitHubActions;

/// <summary>What the workflow reported about its plan.</summary>
public sealed record ReportedPlan(PlanSummary Summary, DateTimeOffset At);

/// <summary>How the workflow's apply ended: <c>succeeded</c>, <c>failed</c> or <c>stale</c>.</summary>
public sealed record ReportedResult(string Result, string? Message, DateTimeOffset At);

/// <summary>
/// One dispatched workflow run of a deployment (container <c>runnerruns</c>, partition = deployment id, id = run key):
/// what the run fetches (variables and checkout token, encrypted), and what it reported. Stored, not held in memory,
/// because the run's calls may reach any host.
/// </summary>
public sealed record RunnerRun
{
    public string Type { get; init; } = "runnerRun";
    public required string DeploymentId { get; init; }
    public required string RunKey { get; init; }
    public required string Action { get; init; }
    public required string ModuleName { get; init; }
    public string? ContentHash { get; init; }
    public string? ModuleRepository { get; init; }
    public string? ModuleCommit { get; init; }
    /// <summary>terraform.tfvars.json, encrypted.</summary>
    public required string ProtectedVariables { get; init; }
    public List<string> SensitiveVariables { get; init; } = [];
    public string? ProtectedCheckoutToken { get; init; }
    public long? GitHubRunId { get; init; }
    public string? GitHubRunUrl { get; init; }
    public ReportedPlan? Plan { get; init; }
    public DateTimeOffset? ApprovedAt { get; init; }
    public ReportedResult? Result { get; init; }
    /// <summary>Why the run must not apply (superseded, cancelled, finished); set once.</summary>
    public string? Stopped { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

public sealed class RunnerRuns(IDocumentStore store, IDataProtectionProvider protection)
{
    public const string Container = "runnerruns";
    private static readonly DocumentOptions Keep = new(TimeSpan.FromDays(2));
    private readonly IDataProtector _protector = protection.CreateProtector("PartnerBot.Deployments.RunnerRuns.v1");

    public string Protect(string value) => _protector.Protect(value);

    public string Unprotect(string value) => _protector.Unprotect(value);

    /// <summary>Stores a new run; every earlier open run of the deployment is stopped (its plan can no longer be applied).</summary>
    public async Task CreateAsync(RunnerRun run, CancellationToken ct)
    {
        var page = await store.QueryAsync(Container, run.DeploymentId, new DocumentQuery { Filters = [FieldFilter.Eq("/type", "runnerRun")], PageSize = 100 }, ct);
        foreach (var item in page.Items)
        {
            var earlier = StoreJson.FromBody<RunnerRun>(item.Body);
            if (earlier.Stopped is null && earlier.RunKey != run.RunKey)
                await UpdateAsync(run.DeploymentId, earlier.RunKey, r => r.Stopped is null ? r with { Stopped = $"Superseded by run {run.RunKey}." } : null, ct);
        }
        await store.UpsertAsync(Container, run.DeploymentId, run.RunKey, StoreJson.ToBody(run), Keep, ct);
    }

    public async Task<RunnerRun?> GetAsync(string deploymentId, string runKey, CancellationToken ct)
    {
        if (!StoreJson.IsValidId(deploymentId) || !StoreJson.IsValidId(runKey)) return null;
        var document = await store.ReadAsync(Container, deploymentId, runKey, ct);
        return document is null ? null : StoreJson.FromBody<RunnerRun>(document.Body);
    }

    /// <summary>Changes the run with <paramref name="change"/> (null = leave it); retried on a concurrent write.</summary>
    public async Task<RunnerRun?> UpdateAsync(string deploymentId, string runKey, Func<RunnerRun, RunnerRun?> change, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var document = await store.ReadAsync(Container, deploymentId, runKey, ct);
            if (document is null) return null;
            var current = StoreJson.FromBody<RunnerRun>(document.Body);
            if (change(current) is not { } next) return current;
            try
            {
                await store.ReplaceAsync(Container, deploymentId, runKey, StoreJson.ToBody(next), document.ETag, Keep, ct);
                return next;
            }
            catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.Conflict) { }
        }
        throw new StorageException(StorageErrorKind.Unavailable, $"Runner run {runKey} kept changing.");
    }
}

/// <summary>
/// The per-run token a workflow run sends as <c>Authorization: Bearer</c>: hex HMAC-SHA256 of <c>run:RUNKEY</c> with the
/// deployment's callback key (<see cref="DeploymentSecrets.CallbackKey"/>). Only a holder of the callback secret can
/// derive it, and it is good for that one run's endpoints only.
/// </summary>
public sealed class RunnerRunTokens(DeploymentSecrets secrets)
{
    public string TokenFor(string deploymentId, string runKey) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(secrets.CallbackKey(deploymentId), Encoding.UTF8.GetBytes("run:" + runKey)));

    public bool Verify(string deploymentId, string runKey, string? authorization)
    {
        if (!secrets.CallbacksEnabled || authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(TokenFor(deploymentId, runKey)),
            Encoding.UTF8.GetBytes(authorization["Bearer ".Length..].Trim()));
    }
}
