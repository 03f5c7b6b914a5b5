using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Telemetry;

namespace PartnerBot.Api.Deployments;

/// <summary>One pending notification (container <c>outbox</c>, partition <see cref="DeploymentOutbox.Partition"/>).</summary>
public sealed record OutboxItem(
    string Type,
    DeploymentStatusChange Change,
    long DueAtMs,
    int Attempts,
    string? LastError,
    bool Dead = false,
    string? TraceParent = null);

/// <summary>The notification outbox: written after each state change, emptied by <see cref="OutboxDispatcher"/>.</summary>
public sealed class DeploymentOutbox(IDocumentStore store, TimeProvider clock)
{
    public const string Container = "outbox";
    public const string Partition = "deployment-status";

    public static string ItemId(string deploymentId, int sequence) => $"{deploymentId}-{sequence:D6}";

    /// <summary>Adds the item for the deployment's latest state change; a second call for the same change does nothing.</summary>
    public async Task EnqueueAsync(Deployment deployment, CancellationToken ct = default)
    {
        var history = deployment.History;
        var previous = history.Count > 1 ? history[^2].State : (DeploymentState?)null;
        var change = new DeploymentStatusChange(ItemId(deployment.Id, deployment.Sequence), deployment.Id, deployment.PartnerId,
            deployment.Module.Name, deployment.Sequence, deployment.State, previous, deployment.Action, deployment.Message,
            history.Count > 0 ? history[^1].At : clock.GetUtcNow(), deployment.Conversation);
        // The delivery continues the trace of the change: the run's span, or the turn's for changes made in a turn.
        var item = new OutboxItem("status", change, clock.GetUtcNow().ToUnixTimeMilliseconds(), 0, null,
            TraceParent: TraceContext.Current() ?? deployment.TraceParent);
        try
        {
            await store.CreateAsync(Container, Partition, change.NotificationId, StoreJson.ToBody(item), ct: ct);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
            // Already enqueued (a retry or the recovery sweep got there first).
        }
    }
}
