using System.Text.Json.Nodes;

namespace PartnerBot.Api.Storage;

/// <summary>
/// The one storage contract, with Cosmos DB semantics: JSON documents addressed by
/// (container, partition key, id), opaque ETags, conditional single-document writes,
/// queries within a partition paged by continuation token, and per-document TTL.
/// There are no multi-document transactions: algorithms that touch several documents
/// use conditional writes plus idempotent follow-ups.
/// </summary>
/// <remarks>
/// Property names <c>id</c>, <c>pk</c>, <c>ttl</c> and anything starting with <c>_</c> are
/// reserved in document bodies; adapters own them.
/// </remarks>
public interface IDocumentStore
{
    /// <summary>Reads one document, or null when it does not exist (or has expired).</summary>
    Task<StoredDocument?> ReadAsync(string container, string partitionKey, string id, CancellationToken ct = default);

    /// <summary>Creates a document; <see cref="StorageErrorKind.Conflict"/> when the id exists in the partition.</summary>
    Task<StoredDocument> CreateAsync(string container, string partitionKey, string id, JsonObject body,
        DocumentOptions? options = null, CancellationToken ct = default);

    /// <summary>Creates or overwrites a document unconditionally.</summary>
    Task<StoredDocument> UpsertAsync(string container, string partitionKey, string id, JsonObject body,
        DocumentOptions? options = null, CancellationToken ct = default);

    /// <summary>
    /// Replaces a document when its current ETag equals <paramref name="ifMatch"/>;
    /// <see cref="StorageErrorKind.PreconditionFailed"/> otherwise, <see cref="StorageErrorKind.NotFound"/> when missing.
    /// </summary>
    Task<StoredDocument> ReplaceAsync(string container, string partitionKey, string id, JsonObject body, string ifMatch,
        DocumentOptions? options = null, CancellationToken ct = default);

    /// <summary>Deletes a document (when its ETag matches <paramref name="ifMatch"/>, if given).</summary>
    Task DeleteAsync(string container, string partitionKey, string id, string? ifMatch = null, CancellationToken ct = default);

    /// <summary>
    /// Applies patch operations atomically to one document. When <paramref name="condition"/> is given, every filter
    /// must hold on the current document or the call fails with <see cref="StorageErrorKind.PreconditionFailed"/>
    /// (Cosmos DB's filter predicate). <paramref name="ifMatch"/> adds an ETag check.
    /// </summary>
    Task<StoredDocument> PatchAsync(string container, string partitionKey, string id, IReadOnlyList<PatchOperation> operations,
        IReadOnlyList<FieldFilter>? condition = null, string? ifMatch = null, CancellationToken ct = default);

    /// <summary>
    /// Queries one partition (or all partitions when <paramref name="partitionKey"/> is null: admin views only).
    /// Paging is by opaque continuation token, never by offset.
    /// </summary>
    Task<DocumentPage> QueryAsync(string container, string? partitionKey, DocumentQuery query, CancellationToken ct = default);

    /// <summary>True when the store answers (used by <c>/readyz</c>).</summary>
    Task<bool> PingAsync(CancellationToken ct = default);
}

/// <summary>A document as stored, with its concurrency token.</summary>
public sealed record StoredDocument(string Container, string PartitionKey, string Id, JsonObject Body, string ETag);

public sealed record DocumentOptions(TimeSpan? TimeToLive = null);

public sealed record DocumentPage(IReadOnlyList<StoredDocument> Items, string? ContinuationToken);

/// <summary>AND of the filters, ordered by one property (then by id), one page at a time.</summary>
public sealed record DocumentQuery
{
    public IReadOnlyList<FieldFilter> Filters { get; init; } = [];
    /// <summary>JSON path of the ordering property, e.g. <c>/createdAt</c>; null orders by id.</summary>
    public string? OrderBy { get; init; }
    public bool Descending { get; init; }
    public int PageSize { get; init; } = 50;
    public string? ContinuationToken { get; init; }
}

public enum FilterOperator { Equal, NotEqual, LessThan, LessThanOrEqual, GreaterThan, GreaterThanOrEqual, In, StartsWith, ArrayContains, Exists, NotExists }

/// <summary>A comparison of the property at <paramref name="Path"/> (JSON pointer, e.g. <c>/balances/topUp</c>) with a value.</summary>
public sealed record FieldFilter(string Path, FilterOperator Operator, JsonNode? Value = null)
{
    public static FieldFilter Eq(string path, JsonNode? value) => new(path, FilterOperator.Equal, value);
    public static FieldFilter Ge(string path, JsonNode? value) => new(path, FilterOperator.GreaterThanOrEqual, value);
}

public enum PatchOperationType { Set, Increment, Remove }

/// <summary>One Cosmos-style patch operation on the property at a JSON pointer path.</summary>
public sealed record PatchOperation(PatchOperationType Type, string Path, JsonNode? Value = null)
{
    public static PatchOperation Set(string path, JsonNode? value) => new(PatchOperationType.Set, path, value);
    public static PatchOperation Increment(string path, long delta) => new(PatchOperationType.Increment, path, JsonValue.Create(delta));
    public static PatchOperation Increment(string path, double delta) => new(PatchOperationType.Increment, path, JsonValue.Create(delta));
    public static PatchOperation Remove(string path) => new(PatchOperationType.Remove, path);
}

public enum StorageErrorKind { NotFound, Conflict, PreconditionFailed, TooLarge, Unavailable }

public sealed class StorageException(StorageErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public StorageErrorKind Kind { get; } = kind;
}
