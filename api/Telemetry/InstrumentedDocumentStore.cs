using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Telemetry;

/// <summary>
/// Times every call of the store it wraps (<c>partnerbot.store.operation.duration</c>) and, inside a traced
/// operation, adds a client span per call. Background polling outside any trace is measured but not traced, so idle
/// loops do not fill the trace backend with single-span traces.
/// </summary>
public sealed class InstrumentedDocumentStore(IDocumentStore inner, string storeName) : IDocumentStore
{
    public IDocumentStore Inner => inner;

    public Task<StoredDocument?> ReadAsync(string container, string partitionKey, string id, CancellationToken ct = default) =>
        MeasureAsync("read", container, () => inner.ReadAsync(container, partitionKey, id, ct));

    public Task<StoredDocument> CreateAsync(string container, string partitionKey, string id, JsonObject body,
        DocumentOptions? options = null, CancellationToken ct = default) =>
        MeasureAsync("create", container, () => inner.CreateAsync(container, partitionKey, id, body, options, ct));

    public Task<StoredDocument> UpsertAsync(string container, string partitionKey, string id, JsonObject body,
        DocumentOptions? options = null, CancellationToken ct = default) =>
        MeasureAsync("upsert", container, () => inner.UpsertAsync(container, partitionKey, id, body, options, ct));

    public Task<StoredDocument> ReplaceAsync(string container, string partitionKey, string id, JsonObject body, string ifMatch,
        DocumentOptions? options = null, CancellationToken ct = default) =>
        MeasureAsync("replace", container, () => inner.ReplaceAsync(container, partitionKey, id, body, ifMatch, options, ct));

    public Task<StoredDocument> CreateTypedAsync<T>(string container, string partitionKey, string id, T body, JsonTypeInfo<T> typeInfo,
        DocumentOptions? options = null, CancellationToken ct = default) =>
        MeasureAsync("create", container, () => inner.CreateTypedAsync(container, partitionKey, id, body, typeInfo, options, ct));

    public Task<StoredDocument> ReplaceTypedAsync<T>(string container, string partitionKey, string id, T body, JsonTypeInfo<T> typeInfo,
        string ifMatch, DocumentOptions? options = null, CancellationToken ct = default) =>
        MeasureAsync("replace", container, () => inner.ReplaceTypedAsync(container, partitionKey, id, body, typeInfo, ifMatch, options, ct));

    public Task DeleteAsync(string container, string partitionKey, string id, string? ifMatch = null, CancellationToken ct = default) =>
        MeasureAsync("delete", container, async () => { await inner.DeleteAsync(container, partitionKey, id, ifMatch, ct); return true; });

    public Task<StoredDocument> PatchAsync(string container, string partitionKey, string id, IReadOnlyList<PatchOperation> operations,
        IReadOnlyList<FieldFilter>? condition = null, string? ifMatch = null, CancellationToken ct = default) =>
        MeasureAsync("patch", container, () => inner.PatchAsync(container, partitionKey, id, operations, condition, ifMatch, ct));

    public Task<DocumentPage> QueryAsync(string container, string? partitionKey, DocumentQuery query, CancellationToken ct = default) =>
        MeasureAsync("query", container, () => inner.QueryAsync(container, partitionKey, query, ct));

    public Task<bool> PingAsync(CancellationToken ct = default) => MeasureAsync("ping", "", () => inner.PingAsync(ct));

    private async Task<T> MeasureAsync<T>(string operation, string container, Func<Task<T>> call)
    {
        using var activity = Activity.Current is null
            ? null
            : PartnerBotTelemetry.Source.StartActivity($"store {operation} {container}".TrimEnd(), ActivityKind.Client);
        activity?.SetTag("db.system.name", storeName);
        activity?.SetTag("db.operation.name", operation);
        activity?.SetTag("db.collection.name", container);
        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            return await call();
        }
        catch (StorageException e)
        {
            // Conflicts and failed preconditions are normal answers of optimistic concurrency, not errors.
            outcome = e.Kind.ToString();
            if (e.Kind is StorageErrorKind.Unavailable or StorageErrorKind.TooLarge or StorageErrorKind.BadRequest)
                activity?.SetStatus(ActivityStatusCode.Error, e.Kind.ToString());
            throw;
        }
        catch (Exception e)
        {
            outcome = e.GetType().Name;
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
        finally
        {
            PartnerBotTelemetry.StoreOperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new("operation", operation), new("store", storeName), new("container", container), new("outcome", outcome));
        }
    }
}
