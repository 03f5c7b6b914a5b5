using System.Text.Json.Nodes;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Telemetry;

namespace PartnerBot.Api.Deployments;

public sealed record StoredDeployment(Deployment Deployment, string ETag);

/// <summary>
/// Deployment documents (container <c>deployments</c>, partition = partner id). Every write is replace-if-match; a
/// write that adds a state change is followed by its outbox item (idempotent, id from deployment and sequence).
/// </summary>
public sealed class DeploymentRepository(IDocumentStore store, DeploymentOutbox outbox, TimeProvider clock)
{
    public const string Container = "deployments";
    private const int MaxAttempts = 200;

    public TimeProvider Clock => clock;

    public async Task<StoredDeployment?> GetAsync(string partnerId, string id, CancellationToken ct = default)
    {
        if (!StoreJson.IsValidId(partnerId) || !StoreJson.IsValidId(id)) return null;
        var document = await store.ReadAsync(Container, partnerId, id, ct);
        return document is null ? null : ToStored(document);
    }

    /// <summary>Finds a deployment by id alone (admins, runner callbacks).</summary>
    public async Task<StoredDeployment?> FindAsync(string id, CancellationToken ct = default)
    {
        if (!StoreJson.IsValidId(id)) return null;
        var page = await store.QueryAsync(Container, null, new DocumentQuery
        {
            Filters = [FieldFilter.Eq("/type", "deployment"), FieldFilter.Eq("/deploymentId", id)],
            PageSize = 1,
        }, ct);
        return page.Items.Count == 0 ? null : ToStored(page.Items[0]);
    }

    public async Task<StoredDeployment> CreateAsync(Deployment deployment, CancellationToken ct = default)
    {
        var document = await store.CreateAsync(Container, deployment.PartnerId, deployment.Id, StoreJson.ToBody(deployment), ct: ct);
        DeploymentTelemetry.Written(deployment, 0);
        return ToStored(document);
    }

    public async Task<bool> DeleteAsync(string partnerId, string id, string? ifMatch, CancellationToken ct = default)
    {
        try
        {
            await store.DeleteAsync(Container, partnerId, id, ifMatch, ct);
            return true;
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.NotFound or StorageErrorKind.PreconditionFailed)
        {
            return false;
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current document until the write wins. <paramref name="change"/> returns
    /// null to leave the document as it is; the result then carries the unchanged deployment and <c>Changed = false</c>.
    /// </summary>
    public async Task<(StoredDeployment? Deployment, bool Changed)> UpdateAsync(string partnerId, string id,
        Func<Deployment, Deployment?> change, CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = await GetAsync(partnerId, id, ct);
            if (current is null) return (null, false);
            var next = change(current.Deployment);
            if (next is null) return (current, false);
            next = next with { UpdatedAt = clock.GetUtcNow() };
            try
            {
                var written = await store.ReplaceAsync(Container, partnerId, id, StoreJson.ToBody(next), current.ETag, ct: ct);
                var stored = ToStored(written);
                DeploymentTelemetry.Written(next, current.Deployment.Sequence);
                if (next.Sequence != current.Deployment.Sequence && next.OutboxPending) await PublishAsync(stored, ct);
                return (stored, true);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed)
            {
                if (attempt > 4) await Task.Delay(Random.Shared.Next(1, 20), ct);
            }
        }
        throw new StorageException(StorageErrorKind.Unavailable, $"Deployment {id} kept changing; the update was not applied.");
    }

    /// <summary>Copies the latest state change to the outbox, then clears the pending flag (only if nothing newer happened).</summary>
    public async Task PublishAsync(StoredDeployment stored, CancellationToken ct = default)
    {
        var deployment = stored.Deployment;
        await outbox.EnqueueAsync(deployment, ct);
        try
        {
            await store.PatchAsync(Container, deployment.PartnerId, deployment.Id,
                [PatchOperation.Set("/outboxPending", false)],
                [FieldFilter.Eq("/sequence", deployment.Sequence)], ct: ct);
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.NotFound)
        {
            // A newer change publishes itself; the flag is its business now.
        }
    }

    /// <summary>Pages through deployments matching <paramref name="filters"/> in one partition or (null) all of them.</summary>
    public async Task<(IReadOnlyList<StoredDeployment> Items, string? Continuation)> QueryAsync(string? partnerId,
        IReadOnlyList<FieldFilter> filters, string? orderBy, bool descending, int pageSize, string? continuation,
        CancellationToken ct = default)
    {
        var page = await store.QueryAsync(Container, partnerId, new DocumentQuery
        {
            Filters = [FieldFilter.Eq("/type", "deployment"), .. filters],
            OrderBy = orderBy,
            Descending = descending,
            PageSize = pageSize,
            ContinuationToken = continuation,
        }, ct);
        return (page.Items.Select(ToStored).ToList(), page.ContinuationToken);
    }

    /// <summary>All deployments matching the filters (maintenance sweeps; bounded by <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<StoredDeployment>> ScanAsync(IReadOnlyList<FieldFilter> filters, string? orderBy, int limit,
        CancellationToken ct = default)
    {
        var found = new List<StoredDeployment>();
        string? continuation = null;
        do
        {
            var (items, next) = await QueryAsync(null, filters, orderBy, false, Math.Min(limit, 100), continuation, ct);
            found.AddRange(items);
            continuation = next;
        } while (continuation is not null && found.Count < limit);
        return found;
    }

    public static FieldFilter StateIs(DeploymentState state) => FieldFilter.Eq("/state", state.ToString());

    public static FieldFilter StateIn(params DeploymentState[] states) =>
        new("/state", FilterOperator.In, new JsonArray(states.Select(s => (JsonNode?)JsonValue.Create(s.ToString())).ToArray()));

    private static StoredDeployment ToStored(StoredDocument document) =>
        new(StoreJson.FromBody<Deployment>(document.Body), document.ETag);
}
