using System.Text.Json.Nodes;

namespace PartnerBot.Api.Deployments.Runners;

/// <summary>What a runner needs to apply or destroy one deployment.</summary>
/// <param name="Variables">Every input, secrets decrypted: written to <c>terraform.tfvars.json</c> or sent encrypted.</param>
/// <param name="SensitiveVariables">Names of the variables that hold secrets (never sent or shown in plain text).</param>
public sealed record RunRequest(
    string DeploymentId,
    string PartnerId,
    DeploymentAction Action,
    ModuleReference Module,
    IReadOnlyDictionary<string, string> Files,
    JsonObject Variables,
    IReadOnlyCollection<string> SensitiveVariables,
    int BuildNumber);

public enum RunResult { Succeeded, Failed, TimedOut, Cancelled }

public sealed record RunOutcome(
    RunResult Result,
    string? Message,
    IReadOnlyDictionary<string, DeploymentOutput>? Outputs = null)
{
    /// <summary>The failure is ours (not the module's): reported as InternalError.</summary>
    public bool Internal { get; init; }

    public static RunOutcome Failed(string message) => new(RunResult.Failed, message);
}

/// <summary>Where a runner reports its progress while it works.</summary>
public interface IRunObserver
{
    Task LogAsync(string line, CancellationToken ct);

    /// <summary>The external run (e.g. a GitHub Actions run) is known; kept on the deployment's build record.</summary>
    Task ExternalRunAsync(string runId, string? url, CancellationToken ct);
}

/// <summary>Executes Terraform for a deployment, here (<c>Local</c>) or elsewhere (<c>GitHubActions</c>).</summary>
public interface IDeploymentRunner
{
    string Name { get; }

    /// <summary>Runs to completion. Cancellation of <paramref name="ct"/> means cancel (or time out) the run.</summary>
    Task<RunOutcome> RunAsync(RunRequest request, IRunObserver observer, CancellationToken ct);
}
