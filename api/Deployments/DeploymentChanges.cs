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
    public static Deployment MakeRunnable(this Deployment deployment, DeploymentAction action, DateTimeOffset at, bool resumed = false) =>
        deployment with
    {
        Action = action,
        Runnable = true,
        RunnableSinceMs = at.ToUnixTimeMilliseconds(),
        Lease = null,
        Attempts = resumed ? deployment.Attempts : 0,
    };
}
