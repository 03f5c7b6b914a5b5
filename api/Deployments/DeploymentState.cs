namespace PartnerBot.Api.Deployments;

/// <summary>
/// Where a deployment is. An action (apply, update, destroy) goes
/// <c>Queued → Pending → Planning → PlanReady → Queued → Pending → Working (or Deleting) → Success (or Deleted)</c>;
/// with <c>Deployments:RequirePlanApproval</c> off (never for destroy) Planning goes straight on to Working.
/// </summary>
public enum DeploymentState
{
    Queued, Pending, Working, Waiting, Success, Failure, InternalError, Deleting, Deleted, Cancelled, Timeout,
    /// <summary>A runner is making the plan (<c>terraform plan -out</c>).</summary>
    Planning,
    /// <summary>The saved plan waits for Apply or Discard.</summary>
    PlanReady,
    /// <summary>The first plan was discarded: nothing was applied.</summary>
    Discarded,
    /// <summary>The first plan grew older than <c>Deployments:PlanTtl</c> or stale before it was applied.</summary>
    Expired,
}

/// <summary>The only allowed state changes. Everything else is refused.</summary>
public static class DeploymentTransitions
{
    // The settled states an update or destroy can start from, and return to when its plan is dropped.
    private static readonly DeploymentState[] Settled =
        [DeploymentState.Success, DeploymentState.Failure, DeploymentState.InternalError, DeploymentState.Timeout, DeploymentState.Cancelled];

    private static readonly Dictionary<DeploymentState, DeploymentState[]> Allowed = new()
    {
        // Waiting: a prerequisite deployment is still running; it is queued once that one succeeds.
        [DeploymentState.Waiting] = [DeploymentState.Queued, DeploymentState.Failure, DeploymentState.Cancelled],
        [DeploymentState.Queued] = [DeploymentState.Pending, DeploymentState.Waiting, DeploymentState.Cancelled, DeploymentState.InternalError],
        // Pending: claimed by a runner that is preparing the run; an approved plan found too old here expires.
        [DeploymentState.Pending] = [DeploymentState.Planning, DeploymentState.Working, DeploymentState.Deleting, DeploymentState.Queued,
            DeploymentState.Failure, DeploymentState.InternalError, DeploymentState.Cancelled, DeploymentState.Expired, .. Settled],
        [DeploymentState.Planning] = [DeploymentState.PlanReady, DeploymentState.Working, DeploymentState.Queued, DeploymentState.Failure,
            DeploymentState.InternalError, DeploymentState.Timeout, DeploymentState.Cancelled, .. Settled],
        // PlanReady: Apply queues the saved plan; Discard (or the time limit) ends the first deployment, or returns an
        // update or destroy to where the deployment was.
        [DeploymentState.PlanReady] = [DeploymentState.Queued, DeploymentState.Discarded, DeploymentState.Expired, .. Settled],
        [DeploymentState.Working] = [DeploymentState.Success, DeploymentState.Failure, DeploymentState.InternalError,
            DeploymentState.Timeout, DeploymentState.Cancelled, DeploymentState.Queued, DeploymentState.Expired],
        [DeploymentState.Deleting] = [DeploymentState.Deleted, DeploymentState.Failure, DeploymentState.InternalError,
            DeploymentState.Timeout, DeploymentState.Cancelled, DeploymentState.Queued],
        [DeploymentState.Success] = [DeploymentState.Queued, DeploymentState.Deleted],
        [DeploymentState.Failure] = [DeploymentState.Queued, DeploymentState.Deleted],
        [DeploymentState.InternalError] = [DeploymentState.Queued, DeploymentState.Deleted],
        [DeploymentState.Timeout] = [DeploymentState.Queued, DeploymentState.Deleted],
        [DeploymentState.Cancelled] = [DeploymentState.Queued, DeploymentState.Deleted],
        [DeploymentState.Discarded] = [DeploymentState.Queued, DeploymentState.Deleted],
        [DeploymentState.Expired] = [DeploymentState.Queued, DeploymentState.Deleted],
        [DeploymentState.Deleted] = [],
    };

    public static bool IsAllowed(DeploymentState from, DeploymentState to) =>
        Allowed.TryGetValue(from, out var targets) && targets.Contains(to);

    public static IReadOnlyList<DeploymentState> From(DeploymentState state) =>
        Allowed.TryGetValue(state, out var targets) ? targets : [];

    /// <summary>A runner is (or should be) doing something; no new action may start.</summary>
    public static bool IsInFlight(this DeploymentState state) =>
        state is DeploymentState.Queued or DeploymentState.Pending or DeploymentState.Working or DeploymentState.Waiting
            or DeploymentState.Deleting or DeploymentState.Planning;

    /// <summary>A runner holds the deployment (a lease guards it).</summary>
    public static bool IsRunning(this DeploymentState state) =>
        state is DeploymentState.Pending or DeploymentState.Planning or DeploymentState.Working or DeploymentState.Deleting;

    /// <summary>Settled: the last action finished one way or another (a plan waiting for approval is not settled).</summary>
    public static bool IsSettled(this DeploymentState state) => !state.IsInFlight() && state != DeploymentState.PlanReady;
}
