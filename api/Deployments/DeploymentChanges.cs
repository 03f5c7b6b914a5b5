using PartnerBot.Api.Telemetry;

namespace PartnerBot.Api.Deployments;

/// <summary>Pure changes to a deployment record; the repository writes them.</summary>
public static class DeploymentChanges
{
    /// <summary>The deployment moved to <paramref name="to"/>, or null when the transition is not allowed.</summary>
    public static Deployment? Transition(this Deployment deployment, DeploymentState to, string? message, string by, DateTimeOffset at)
    {
        if (!DeploymentTransitions.IsAllowed(deployment.State, to)) return null;
        return deployment.Record(to, message, by, at);
    }

    /// <summary>Records a state change without checking the table (the first state of a new deployment).</summary>
    public static Deployment Record(this Deployment deployment, DeploymentState to, string? message, string by, DateTimeOffset at)
    {
        var sequence = deployment.Sequence + 1;
        return deployment with
        {
            State = to,
            Message = message,
            Sequence = sequence,
            OutboxPending = true,
            History = [.. deployment.History, new StateChange(sequence, to, at, message, by)],
        };
    }

    /// <summary>Ready for a runner: it will be picked up in order of <see cref="Deployment.RunnableSinceMs"/>.</summary>
    public static Deployment MakeRunnable(this Deployment deployment, DeploymentAction action, DateTimeOffset at, bool resumed = false,
        DeploymentStep step = DeploymentStep.Plan) =>
        deployment with
        {
            Action = action,
            Step = step,
            Runnable = true,
            RunnableSinceMs = at.ToUnixTimeMilliseconds(),
            Lease = null,
            Attempts = resumed ? deployment.Attempts : 0,
            // A resumed run stays in the trace of whoever started it; a new request starts a new one.
            TraceParent = resumed ? deployment.TraceParent : TraceContext.Current() ?? deployment.TraceParent,
        };

    /// <summary>The first apply has not started: the deployment's reserved credits are still to be given back if it ends now.</summary>
    public static bool NeverApplied(this Deployment deployment) =>
        deployment.Action == DeploymentAction.Apply && deployment.ChargedAt is null;

    /// <summary>
    /// Ends the deployment's current action in <paramref name="to"/>. A first deployment that never reached its apply
    /// is marked for a refund (given once, by <see cref="Deployment.RefundReference"/>), and the message says so.
    /// </summary>
    public static Deployment? End(this Deployment deployment, DeploymentState to, string message, string by, DateTimeOffset at)
    {
        var refund = deployment.NeverApplied() && deployment.Charged && deployment.Refunded is null && !deployment.RefundDue;
        var text = refund && deployment.Cost > 0 ? $"{message} {RefundText(deployment.Cost)}" : message;
        var ended = deployment.Transition(to, text, by, at);
        return ended is null ? null : ended with
        {
            Runnable = false,
            Lease = null,
            Plan = null,
            Pending = to == DeploymentState.Failure && deployment.ChargedAt is not null ? deployment.Pending : null,
            RefundDue = deployment.RefundDue || refund,
        };
    }

    /// <summary>
    /// Drops the current plan: a first deployment ends in <paramref name="firstDeployment"/> (refunded); an update or
    /// destroy returns to the state the deployment was in before it.
    /// </summary>
    public static Deployment? DropPlan(this Deployment deployment, DeploymentState firstDeployment, string reason, string by, DateTimeOffset at)
    {
        if (deployment.Action == DeploymentAction.Apply && deployment.ChargedAt is null)
            return deployment.End(firstDeployment, reason + " Nothing was applied.", by, at);
        var back = deployment.ResumeState ?? DeploymentState.Success;
        var what = deployment.Action == DeploymentAction.Destroy ? "nothing was destroyed" : "nothing was changed";
        return deployment.End(back, $"{reason} {char.ToUpperInvariant(what[0])}{what[1..]}.", by, at) is { } ended
            ? ended with { Pending = null }
            : null;
    }

    public static string RefundText(decimal credits) => $"{credits:0.##} credit{(credits == 1 ? "" : "s")} refunded.";
}
