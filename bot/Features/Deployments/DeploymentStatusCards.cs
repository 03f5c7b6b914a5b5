using System.Globalization;
using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Storage;
using PartnerBot.Cards.Model;
using CardDeploymentView = PartnerBot.Cards.Model.DeploymentView;
using ApiDeploymentView = PartnerBot.Api.Deployments.DeploymentView;

namespace PartnerBot.Bot.Features.Deployments;

/// <summary>
/// The status card of a deployment and where it is shown: one record per deployment with the id of the message
/// showing the card and the state sequence it shows, so each state change updates that message (or, where the
/// channel cannot edit, posts a new one), and a change the card already shows is not sent again.
/// </summary>
/// <remarks>
/// The first card is claimed (a record without a message id) before it is posted, so the deploy turn and an early
/// status update never both post one. A claim whose poster went away is taken over after <see cref="AbandonedAfter"/>.
/// </remarks>
public sealed class DeploymentStatusCards(IDocumentStore store, TimeProvider time)
{
    public const string Container = "statuscards";
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(1);
    private const string RecordId = "card";
    private static readonly DocumentOptions Retention = new(TimeSpan.FromDays(90));

    /// <param name="MessageId">The message showing the card; null while the first card is being posted.</param>
    /// <param name="Sequence">The deployment state sequence the card shows.</param>
    public sealed record Placement(string? MessageId, int Sequence, string? ETag, DateTimeOffset? ClaimedAt = null);

    public async Task<Placement?> FindAsync(string deploymentId, CancellationToken ct)
    {
        var doc = await store.ReadAsync(Container, deploymentId, RecordId, ct);
        if (doc is null) return null;
        var claimedAt = DateTimeOffset.TryParse((string?)doc.Body["claimedAt"], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : (DateTimeOffset?)null;
        return new Placement((string?)doc.Body["messageId"], (int?)doc.Body["sequence"] ?? 0, doc.ETag, claimedAt);
    }

    /// <summary>Claims the posting of the first card; null when it is already shown or claimed.</summary>
    public async Task<Placement?> TryClaimAsync(string deploymentId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var body = new JsonObject { ["messageId"] = null, ["sequence"] = 0, ["claimedAt"] = now.ToString("O", CultureInfo.InvariantCulture) };
        try
        {
            var created = await store.CreateAsync(Container, deploymentId, RecordId, body, Retention, ct);
            return new Placement(null, 0, created.ETag, now);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
            return null;
        }
    }

    /// <summary>Gives up a claim whose card could not be posted, leaving the first card to the next attempt.</summary>
    public async Task ReleaseAsync(string deploymentId, Placement claim)
    {
        try { await store.DeleteAsync(Container, deploymentId, RecordId, claim.ETag, CancellationToken.None); }
        catch (StorageException) { }
    }

    /// <summary>A claim whose card never appeared: its poster failed or went away.</summary>
    public bool IsAbandoned(Placement placement) =>
        placement.MessageId is null && (placement.ClaimedAt is not { } at || time.GetUtcNow() - at > AbandonedAfter);

    /// <summary>Records where the card is; false when another writer recorded a newer placement first.</summary>
    public async Task<bool> RecordAsync(string deploymentId, string? messageId, int sequence, Placement? previous, CancellationToken ct)
    {
        var body = new JsonObject { ["messageId"] = messageId, ["sequence"] = sequence };
        try
        {
            if (previous?.ETag is { } etag) await store.ReplaceAsync(Container, deploymentId, RecordId, body, etag, Retention, ct);
            else await store.CreateAsync(Container, deploymentId, RecordId, body, Retention, ct);
            return true;
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.Conflict or StorageErrorKind.PreconditionFailed or StorageErrorKind.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// Posts the first status card of a new deployment with <paramref name="post"/>, unless a status update already
    /// shows (or is posting) it.
    /// </summary>
    public async Task ShowFirstAsync(ApiDeploymentView deployment, Func<UiMessage, CancellationToken, Task<string?>> post, CancellationToken ct)
    {
        var claim = await TryClaimAsync(deployment.Id, ct);
        if (claim is null) return;
        string? messageId;
        try
        {
            messageId = await post(Build(deployment), ct);
        }
        catch
        {
            await ReleaseAsync(deployment.Id, claim);
            throw;
        }
        await RecordAsync(deployment.Id, messageId, ShownSequence(deployment), claim, ct);
    }

    /// <summary>Posts a fresh status card (e.g. for an update just started) and makes it the one later changes update.</summary>
    public async Task ShowHereAsync(ApiDeploymentView deployment, Func<UiMessage, CancellationToken, Task<string?>> post, CancellationToken ct)
    {
        var messageId = await post(Build(deployment), ct);
        if (messageId is null) return;
        await store.UpsertAsync(Container, deployment.Id, RecordId,
            new JsonObject { ["messageId"] = messageId, ["sequence"] = ShownSequence(deployment) }, Retention, ct);
    }

    /// <summary>The state sequence a card built from <paramref name="deployment"/> shows.</summary>
    public static int ShownSequence(ApiDeploymentView deployment) => deployment.History.Count == 0 ? 0 : deployment.History.Max(h => h.Sequence);

    public UiMessage Build(ApiDeploymentView deployment) => DeploymentCard.Build(DeploymentStatusView.From(deployment));

    public static string Describe(DeploymentState state) => DeploymentStatusView.Describe(state);
}
