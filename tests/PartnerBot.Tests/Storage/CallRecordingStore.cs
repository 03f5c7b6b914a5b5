using System.Text.Json.Nodes;
using PartnerBot.Api.Storage;

namespace PartnerBot.Tests.Storage;

/// <summary>Passes every call to a real store and records it as "operation container", in order.</summary>
public sealed class CallRecordingStore(IDocumentStore inner) : IDocumentStore
{
    private readonly List<string> _calls = [];

    /// <summary>The calls so far.</summary>
    public IReadOnlyList<string> Calls
    {
        get { lock (_calls) return _calls.ToList(); }
    }

    /// <summary>The containers of the point reads so far.</summary>
    public IReadOnlyList<string> Reads => Calls.Where(c => c.StartsWith("read ", StringComparison.Ordinal)).Select(c => c["read ".Length..]).ToList();

    public void Clear()
    {
        lock (_calls) _calls.Clear();
    }

    private IDocumentStore Record(string operation, string container)
    {
        lock (_calls) _calls.Add($"{operation} {container}");
        return inner;
    }

    public Task<StoredDocument?> ReadAsync(string container, string partitionKey, string id, CancellationToken ct = default) =>
        Record("read", container).ReadAsync(container, partitionKey, id, ct);

    public Task<StoredDocument> CreateAsync(string container, string partitionKey, string id, JsonObject body, DocumentOptions? options = null, CancellationToken ct = default) =>
        Record("create", container).CreateAsync(container, partitionKey, id, body, options, ct);

    public Task<StoredDocument> UpsertAsync(string container, string partitionKey, string id, JsonObject body, DocumentOptions? options = null, CancellationToken ct = default) =>
        Record("upsert", container).UpsertAsync(container, partitionKey, id, body, options, ct);

    public Task<StoredDocument> ReplaceAsync(string container, string partitionKey, string id, JsonObject body, string ifMatch, DocumentOptions? options = null, CancellationToken ct = default) =>
        Record("replace", container).ReplaceAsync(container, partitionKey, id, body, ifMatch, options, ct);

    public Task DeleteAsync(string container, string partitionKey, string id, string? ifMatch = null, CancellationToken ct = default) =>
        Record("delete", container).DeleteAsync(container, partitionKey, id, ifMatch, ct);

    public Task<StoredDocument> PatchAsync(string container, string partitionKey, string id, IReadOnlyList<PatchOperation> operations,
        IReadOnlyList<FieldFilter>? condition = null, string? ifMatch = null, CancellationToken ct = default) =>
        Record("patch", container).PatchAsync(container, partitionKey, id, operations, condition, ifMatch, ct);

    public Task<DocumentPage> QueryAsync(string container, string? partitionKey, DocumentQuery query, CancellationToken ct = default) =>
        Record("query", container).QueryAsync(container, partitionKey, query, ct);

    public Task<bool> PingAsync(CancellationToken ct = default) => inner.PingAsync(ct);
}
