using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Cards.Model;
using CardDeploymentView = PartnerBot.Cards.Model.DeploymentView;
using ApiDeploymentView = PartnerBot.Api.Deployments.DeploymentView;

namespace PartnerBot.Bot.Features.Deployments;

/// <summary>
/// What the status card says about a deployment: its state in plain words, the times of its current run taken from
/// its state history (never from when the card is drawn), and its message where that adds something to the state.
/// </summary>
public static class DeploymentStatusView
{
    /// <summary>Messages the deployment service writes that only name the state the card already shows.</summary>
    private static readonly Dictionary<DeploymentState, string[]> RoutineMessages = new()
    {
        [DeploymentState.Queued] = ["Queued.", "Update queued."],
        [DeploymentState.Pending] = ["Preparing the run."],
        [DeploymentState.Working] = ["Deploying.", "Updating."],
        [DeploymentState.Deleting] = ["Destroy queued."],
        [DeploymentState.Success] = ["Applied."],
        [DeploymentState.Deleted] = ["Destroyed."],
    };

    public static CardDeploymentView From(ApiDeploymentView d)
    {
        var (done, total) = Progress(d.State);
        var status = d.State switch
        {
            DeploymentState.Queued or DeploymentState.Waiting or DeploymentState.Pending => DeploymentViewStatus.Queued,
            DeploymentState.Working or DeploymentState.Deleting => DeploymentViewStatus.Running,
            DeploymentState.Success or DeploymentState.Deleted => DeploymentViewStatus.Succeeded,
            DeploymentState.Cancelled => DeploymentViewStatus.Cancelled,
            _ => DeploymentViewStatus.Failed,
        };
        var (started, asOf) = RunTimes(d);
        var outputs = d.Outputs
            .Select(o => new DeploymentOutputView(o.Key, o.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : o.Value?.ToJsonString() ?? "null",
                o.Value is JsonValue r && r.TryGetValue<string>(out var text) && text == ApiDeploymentView.Redacted))
            .ToList();
        var data = new JsonObject { ["deploymentId"] = d.Id };
        var actions = new List<UiAction> { new("Details", DeploymentRoutes.Show, data.DeepClone().AsObject()) };
        if (d.State.IsInFlight() && d.State != DeploymentState.Deleting)
            actions.Add(new UiAction("Cancel", DeploymentRoutes.CancelDeployment, data.DeepClone().AsObject(), UiActionStyle.Destructive));
        return new CardDeploymentView(d.Id, d.ModuleName, status, done, total, started, asOf, outputs, actions,
            AddsToState(d.State, d.Message) ? d.Message : null, Phase(d.State, d.Action));
    }

    /// <summary>
    /// When the current run began (the first state after the last finished one) and its latest state change (for a
    /// finished run, when it finished).
    /// </summary>
    public static (DateTimeOffset Started, DateTimeOffset AsOf) RunTimes(ApiDeploymentView d)
    {
        var history = d.History.OrderBy(h => h.Sequence).ToList();
        if (history.Count == 0) return (d.CreatedAt, d.CreatedAt);
        var first = history.Count - 1;
        while (first > 0 && history[first - 1].State.IsInFlight()) first--;
        return (history[first].At, history[^1].At);
    }

    private static bool AddsToState(DeploymentState state, string? message) =>
        !string.IsNullOrWhiteSpace(message)
        && !(RoutineMessages.TryGetValue(state, out var routine) && routine.Contains(message.Trim(), StringComparer.OrdinalIgnoreCase));

    /// <summary>The state in words on the card: what is happening now, or how it ended.</summary>
    public static string Phase(DeploymentState state, DeploymentAction action) => state switch
    {
        DeploymentState.Queued => action == DeploymentAction.Update ? "Update queued" : "Queued",
        DeploymentState.Waiting => "Waiting for a prerequisite",
        DeploymentState.Pending => "Preparing…",
        DeploymentState.Working => action == DeploymentAction.Update ? "Updating…" : "Deploying…",
        DeploymentState.Deleting => "Deleting…",
        DeploymentState.Success => action == DeploymentAction.Update ? "Updated" : "Succeeded",
        DeploymentState.Deleted => action == DeploymentAction.Destroy ? "Destroyed" : "Deleted",
        DeploymentState.Failure => "Failed",
        DeploymentState.InternalError => "Stopped by an internal error",
        DeploymentState.Cancelled => "Cancelled",
        DeploymentState.Timeout => "Timed out",
        _ => state.ToString(),
    };

    /// <summary>Steps of a run: queued, prepared, applying, finished.</summary>
    private static (int Done, int Total) Progress(DeploymentState state) => state switch
    {
        DeploymentState.Waiting or DeploymentState.Queued => (0, 3),
        DeploymentState.Pending => (1, 3),
        DeploymentState.Working or DeploymentState.Deleting => (2, 3),
        _ => (3, 3),
    };

    /// <summary>The state's name in lists and histories.</summary>
    public static string Describe(DeploymentState state) => state switch
    {
        DeploymentState.Queued => "Queued",
        DeploymentState.Pending => "Preparing",
        DeploymentState.Working => "Working",
        DeploymentState.Waiting => "Waiting for a prerequisite",
        DeploymentState.Success => "Succeeded",
        DeploymentState.Failure => "Failed",
        DeploymentState.InternalError => "Internal error",
        DeploymentState.Deleting => "Deleting",
        DeploymentState.Deleted => "Deleted",
        DeploymentState.Cancelled => "Cancelled",
        DeploymentState.Timeout => "Timed out",
        _ => state.ToString(),
    };
}
