namespace PartnerBot.Api.Deployments;

public enum DeploymentState
{
    Queued, Pending, Working, Waiting, Success, Failure, InternalError, Deleting, Deleted, Cancelled, Timeout,
}

/// <summary>The only allowed state changes. Everything else is refused.</summary>
public static class DeploymentTransitions
{
    private static readonly Dictionary<DeploymentState, DeploymentState[]> Allowed = new()
    {
        // Waiting: a prerequisite deployment is still running; it is queued once that one succeeds.
        [DeploymentState.Waiting] = [DeploymentState.Queued, DeploymentState.Failure, DeploymentState.Cancelled],
        [DeploymentState.Queued] = [DeploymentState.Pending, DeploymentState.Waiting, DeploymentState.Cancelled, DeploymentState.InternalError],
        // Pending: claimed by a runner that is preparing the work folder or dispatching the workflow.
        [DeploymentState.Pending] = [DeploymentState.Working, DeploymentState.Queued, DeploymentState.Failure,
            DeploymentState.InternalError, DeploymentState.Cancelled],
        [DeploymentState.Working] = [DeploymentState.Success, DeploymentState.Failure, DeploymentState.InternalError,
            DeploymentState.Timeout, DeploymentState.Cancelled, DeploymentState.Queued],
        [DeploymentState.Success] = [DeploymentState.Queued, DeploymentState.Deleting, DeploymentState.Deleted],
        [DeploymentState.Failure] = [DeploymentState.Queued, DeploymentState.Deleting, DeploymentState.Deleted],
        [DeploymentState.InternalError] = [DeploymentState.Queued, DeploymentState.Deleting, DeploymentState.Deleted],
        [DeploymentState.Timeout] = [DeploymentState.Queued, DeploymentState.Deleting, DeploymentState.Deleted],
        [DeploymentState.Cancelled] = [DeploymentState.Queued, DeploymentState.Deleting, DeploymentState.Deleted],
        [DeploymentState.Deleting] = [DeploymentState.Deleted, DeploymentState.Failure, DeploymentState.InternalError,
            DeploymentState.Timeout, DeploymentState.Cancelled],
        [DeploymentState.Deleted] = [],
    };

    public static bool IsAllowed(DeploymentState from, DeploymentState to) =>
        Allowed.TryGetValue(from, out var targets) && targets.Contains(to);

    public static IReadOnlyList<DeploymentState> From(DeploymentState state) =>
        Allowed.TryGetValue(state, out var targets) ? targets : [];

    /// <summary>A runner is (or should be) doing something; no new action may start.</summary>
    public static bool IsInFlight(this DeploymentState state) =>
        state is DeploymentState.Queued or DeploymentState.Pending or DeploymentState.Working or DeploymentState.Waiting
            or DeploymentState.Deleting;

    /// <summary>Settled: the last action finished one way or another.</summary>
    public static bool IsSettled(this DeploymentState state) => !state.IsInFlight();
}
