using System.Text.Json.Nodes;

namespace PartnerBot.Api.Deployments.Runners;

/// <summary>
/// One step of a deployment's action. <see cref="Plan"/> and <see cref="PlanDestroy"/> save a plan; <see cref="Apply"/>
/// and <see cref="Destroy"/> apply the saved plan given in <see cref="RunRequest.SavedPlan"/> (or, for a runner that does
/// not save plans, run the whole action).
/// </summary>
public enum RunStep { Plan, Apply, PlanDestroy, Destroy }

/// <summary>What a runner needs to plan, apply or destroy one deployment.</summary>
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
    int BuildNumber)
{
    public RunStep Step { get; init; } = Action == DeploymentAction.Destroy ? RunStep.Destroy : RunStep.Apply;

    /// <summary>The approved plan file to apply (Apply and Destroy steps of a runner that saves plans).</summary>
    public byte[]? SavedPlan { get; init; }

    /// <summary>The pinned module version (where a runner that checks modules out finds them).</summary>
    public Versions.ModuleVersion? Version { get; init; }

    public bool IsPlanStep => Step is RunStep.Plan or RunStep.PlanDestroy;
}

/// <summary>A plan step's result: the saved plan file and what it will do.</summary>
public sealed record SavedPlanFile(byte[] Content, PlanSummary Summary, long? StateSerial = null, string? StateLineage = null);

/// <summary><see cref="Stale"/>: the saved plan no longer matches the state; nothing was applied, plan again.</summary>
public enum RunResult { Succeeded, Failed, TimedOut, Cancelled, Stale }

public sealed record RunOutcome(
    RunResult Result,
    string? Message,
    IReadOnlyDictionary<string, DeploymentOutput>? Outputs = null)
{
    /// <summary>Set by a successful plan step.</summary>
    public SavedPlanFile? Plan { get; init; }

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

    /// <summary>
    /// True when the runner runs the plan steps and applies saved plans; otherwise it receives only Apply and Destroy,
    /// without a saved plan, and runs each as one step.
    /// </summary>
    bool SavesPlans { get; }

    /// <summary>Runs to completion. Cancellation of <paramref name="ct"/> means cancel (or time out) the run.</summary>
    Task<RunOutcome> RunAsync(RunRequest request, IRunObserver observer, CancellationToken ct);
}
