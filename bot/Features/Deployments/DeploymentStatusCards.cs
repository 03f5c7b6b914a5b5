using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Storage;
using PartnerBot.Cards.Model;
using CardDeploymentView = PartnerBot.Cards.Model.DeploymentView;
using ApiDeploymentView = PartnerBot.Api.Deployments.DeploymentView;

namespace PartnerBot.Bot.Features.Deployments;

/// <summary>
/// The status card of a deployment and where it is shown: one record per deployment with the conversation and the
/// id of the message showing the card, so each state change updates that message (or, where the channel cannot
/// edit, posts a new one).
/// </summary>
public sealed class DeploymentStatusCards(IDocumentStore store, TimeProvider time, IOptions<DeploymentOptions> options)
{
    public const string Container = "statuscards";
    private const string RecordId = "card";

    public sealed record Placement(string? MessageId, int Sequence, string? ETag);

    public async Task<Placement?> FindAsync(string deploymentId, CancellationToken ct)
    {
        var doc = await store.ReadAsync(Container, deploymentId, RecordId, ct);
        return doc is null ? null : new Placement((string?)doc.Body["messageId"], (int?)doc.Body["sequence"] ?? 0, doc.ETag);
    }

    /// <summary>Records where the card is; false when another writer recorded a newer placement first.</summary>
    public async Task<bool> RecordAsync(string deploymentId, string? messageId, int sequence, Placement? previous, CancellationToken ct)
    {
        var body = new JsonObject { ["messageId"] = messageId, ["sequence"] = sequence };
        try
        {
            if (previous?.ETag is { } etag) await store.ReplaceAsync(Container, deploymentId, RecordId, body, etag, new DocumentOptions(TimeSpan.FromDays(90)), ct);
            else await store.CreateAsync(Container, deploymentId, RecordId, body, new DocumentOptions(TimeSpan.FromDays(90)), ct);
            return true;
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.Conflict or StorageErrorKind.PreconditionFailed)
        {
            return false;
        }
    }

    /// <summary>The plan card while a plan waits for Apply or Discard, the status card otherwise.</summary>
    public UiMessage Build(ApiDeploymentView deployment) =>
        deployment is { State: DeploymentState.PlanReady, Plan: not null }
            ? PlanCards.Plan(deployment, options.Value.PlanTtl)
            : DeploymentCard.Build(ToCardView(deployment, time.GetUtcNow()));

    internal static CardDeploymentView ToCardView(ApiDeploymentView d, DateTimeOffset now)
    {
        var (done, total) = Progress(d.State);
        var status = d.State switch
        {
            DeploymentState.Queued or DeploymentState.Waiting or DeploymentState.Pending or DeploymentState.PlanReady => DeploymentViewStatus.Queued,
            DeploymentState.Planning or DeploymentState.Working or DeploymentState.Deleting => DeploymentViewStatus.Running,
            DeploymentState.Success or DeploymentState.Deleted => DeploymentViewStatus.Succeeded,
            DeploymentState.Cancelled or DeploymentState.Discarded or DeploymentState.Expired => DeploymentViewStatus.Cancelled,
            _ => DeploymentViewStatus.Failed,
        };
        var settled = d.State.IsSettled();
        var elapsed = (settled ? d.UpdatedAt : now) - d.CreatedAt;
        var outputs = d.Outputs
            .Select(o => new DeploymentOutputView(o.Key, o.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : o.Value?.ToJsonString() ?? "null",
                o.Value is JsonValue r && r.TryGetValue<string>(out var text) && text == ApiDeploymentView.Redacted))
            .ToList();
        var data = new JsonObject { ["deploymentId"] = d.Id };
        var actions = new List<UiAction> { new("Details", DeploymentRoutes.Show, data.DeepClone().AsObject()) };
        if (d.State.IsInFlight() && d.State != DeploymentState.Deleting)
            actions.Add(new UiAction("Cancel", DeploymentRoutes.CancelDeployment, data.DeepClone().AsObject(), UiActionStyle.Destructive));
        if (CanRetry(d))
        {
            actions.Add(new UiAction("Retry", DeploymentRoutes.Retry, data.DeepClone().AsObject(), UiActionStyle.Primary));
            actions.Add(new UiAction("Contact support", CardVerbs.Support, data.DeepClone().AsObject()));
        }
        var message = d.Action == DeploymentAction.Destroy && d.State == DeploymentState.Deleted
            ? "Deleted: its resources were destroyed."
            : d.Message;
        return new CardDeploymentView(d.Id, d.ModuleName, status, done, total, d.CreatedAt, elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed,
            outputs, actions, $"{Describe(d.State)}{(string.IsNullOrWhiteSpace(message) ? "" : ": " + message)}");
    }

    /// <summary>A failed action that was charged (its apply had started, or it is an update or destroy): Retry plans it again.</summary>
    public static bool CanRetry(ApiDeploymentView d) =>
        d.State is DeploymentState.Failure or DeploymentState.Timeout or DeploymentState.InternalError
        && d.Refunded is null && (d.ChargedAt is not null || d.Action != DeploymentAction.Apply);

    /// <summary>Steps of a run: queued, prepared, planned, applying, finished.</summary>
    private static (int Done, int Total) Progress(DeploymentState state) => state switch
    {
        DeploymentState.Waiting or DeploymentState.Queued => (0, 4),
        DeploymentState.Pending => (1, 4),
        DeploymentState.Planning => (2, 4),
        DeploymentState.PlanReady => (2, 4),
        DeploymentState.Working or DeploymentState.Deleting => (3, 4),
        _ => (4, 4),
    };

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
        DeploymentState.Planning => "Planning",
        DeploymentState.PlanReady => "Plan ready",
        DeploymentState.Discarded => "Discarded",
        DeploymentState.Expired => "Plan expired",
        _ => state.ToString(),
    };
}
