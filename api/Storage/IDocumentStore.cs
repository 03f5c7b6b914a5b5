using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

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
/// reserved in document bodies; adapters own them. A body passed in may carry <c>id</c> only when it equals the
/// id argument (so records with an <c>Id</c> property round-trip); the others are rejected with
/// <see cref="ArgumentException"/>. Bodies handed back always carry <c>id</c> and never the other reserved names.
/// Ids follow Cosmos DB rules: 1-255 characters, none of <c>/ \ ? #</c>.
/// Filters, ORDER BY and patch paths are JSON pointers (<c>/a/b</c>; all-digit segments index arrays).
/// Comparisons follow Cosmos DB: values of different JSON types never compare (a range filter on a number
/// never matches a string), and a missing property matches nothing except <see cref="FilterOperator.NotExists"/>.
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

    /// <summary>
    /// <see cref="CreateAsync(string, string, string, JsonObject, DocumentOptions?, CancellationToken)"/> for a typed body,
    /// which must serialize to a JSON object: an adapter writes it straight to the stored JSON, with no node tree between.
    /// </summary>
    Task<StoredDocument> CreateTypedAsync<T>(string container, string partitionKey, string id, T body, JsonTypeInfo<T> typeInfo,
        DocumentOptions? options = null, CancellationToken ct = default) =>
        CreateAsync(container, partitionKey, id, StorageJson.ToObject(body, typeInfo), options, ct);

    /// <summary>
    /// <see cref="ReplaceAsync(string, string, string, JsonObject, string, DocumentOptions?, CancellationToken)"/> for a typed
    /// body, which must serialize to a JSON object: an adapter writes it straight to the stored JSON, with no node tree between.
    /// </summary>
    Task<StoredDocument> ReplaceTypedAsync<T>(string container, string partitionKey, string id, T body, JsonTypeInfo<T> typeInfo,
        string ifMatch, DocumentOptions? options = null, CancellationToken ct = default) =>
        ReplaceAsync(container, partitionKey, id, StorageJson.ToObject(body, typeInfo), ifMatch, options, ct);

    /// <summary>
    /// Deletes a document (when its ETag matches <paramref name="ifMatch"/>, if given);
    /// <see cref="StorageErrorKind.NotFound"/> when it does not exist.
    /// </summary>
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
    /// Paging is by opaque continuation token, never by offset: pass the token back (with the same filters and
    /// ordering) until it is null. A page may hold fewer than <see cref="DocumentQuery.PageSize"/> items even when
    /// more follow; a malformed token is an <see cref="ArgumentException"/>.
    /// </summary>
    Task<DocumentPage> QueryAsync(string container, string? partitionKey, DocumentQuery query, CancellationToken ct = default);

    /// <summary>True when the store answers (used by <c>/readyz</c>).</summary>
    Task<bool> PingAsync(CancellationToken ct = default);
}

/// <summary>A document as stored, with its concurrency token.</summary>
public sealed record StoredDocument(string Container, string PartitionKey, string Id, JsonObject Body, string ETag)
{
    private readonly byte[]? _utf8;
    private JsonObject? _body = Body;

    /// <summary>A document whose body is parsed from its UTF-8 JSON <paramref name="utf8Json"/> when it is first asked for.</summary>
    public StoredDocument(string container, string partitionKey, string id, byte[] utf8Json, string etag)
        : this(container, partitionKey, id, (JsonObject)null!, etag) => _utf8 = utf8Json;

    /// <summary>A document whose body is parsed from <paramref name="json"/> when it is first asked for.</summary>
    public StoredDocument(string container, string partitionKey, string id, string json, string etag)
        : this(container, partitionKey, id, System.Text.Encoding.UTF8.GetBytes(json), etag)
    {
    }

    /// <summary>The body. A store may hand out its text and parse it on first use: a write's caller mostly wants the ETag.</summary>
    public JsonObject Body
    {
        get => _body ?? Parse();
        init => _body = value;
    }

    /// <summary>The body as <typeparamref name="T"/>, read straight from the stored text when nothing has parsed it yet.</summary>
    public T? Deserialize<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        _utf8 is not null && Volatile.Read(ref _body) is null
            ? System.Text.Json.JsonSerializer.Deserialize(_utf8, typeInfo)
            : System.Text.Json.JsonSerializer.Deserialize(Body, typeInfo);

    private JsonObject Parse()
    {
        var parsed = JsonNode.Parse(_utf8!)!.AsObject();
        return Interlocked.CompareExchange(ref _body, parsed, null) ?? parsed;
    }
}

/// <summary>
/// Per-write options. <paramref name="TimeToLive"/> makes the document invisible (and later purged) once it has
/// elapsed; Cosmos DB counts whole seconds, so it is rounded up to a second. A write without it clears any
/// earlier TTL; a patch keeps it.
/// </summary>
public sealed record DocumentOptions(TimeSpan? TimeToLive = null);

public sealed record DocumentPage(IReadOnlyList<StoredDocument> Items, string? ContinuationToken);

/// <summary>AND of the filters, ordered by one property (then by id), one page at a time.</summary>
public sealed record DocumentQuery
{
    public IReadOnlyList<FieldFilter> Filters { get; init; } = [];
    /// <summary>JSON path of the ordering property, e.g. <c>/createdAt</c>; null orders by id.</summary>
    public string? OrderBy { get; init; }
    public bool Descending { get; init; }
    /// <summary>1 to 1000.</summary>
    public int PageSize { get; init; } = 50;
    public string? ContinuationToken { get; init; }
}

public enum FilterOperator { Equal, NotEqual, LessThan, LessThanOrEqual, GreaterThan, GreaterThanOrEqual, In, StartsWith, ArrayContains, Exists, NotExists }

/// <summary>A comparison of the property at <paramref name="Path"/> (JSON pointer, e.g. <c>/balances/topUp</c>) with a value.</summary>
public sealed record FieldFilter(string Path, FilterOperator Operator, JsonNode? Value = null)
{
    public static FieldFilter Eq(string path, JsonNode? value) => new(path, FilterOperator.Equal, value);
    public static FieldFilter Ge(string path, JsonNode? value) => new(path, FilterOperator.GreaterThanOrEqual, value);
    public static FieldFilter Ne(string path, JsonNode? value) => new(path, FilterOperator.NotEqual, value);
    public static FieldFilter Lt(string path, JsonNode? value) => new(path, FilterOperator.LessThan, value);
    public static FieldFilter Le(string path, JsonNode? value) => new(path, FilterOperator.LessThanOrEqual, value);
    public static FieldFilter Gt(string path, JsonNode? value) => new(path, FilterOperator.GreaterThan, value);
    /// <summary>The property equals one of <paramref name="values"/> (scalars).</summary>
    public static FieldFilter In(string path, params JsonNode?[] values) => new(path, FilterOperator.In, new JsonArray(values));
    public static FieldFilter StartsWith(string path, string prefix) => new(path, FilterOperator.StartsWith, JsonValue.Create(prefix));
    /// <summary>The property is an array holding the scalar <paramref name="value"/>.</summary>
    public static FieldFilter ArrayContains(string path, JsonNode? value) => new(path, FilterOperator.ArrayContains, value);
    public static FieldFilter Exists(string path) => new(path, FilterOperator.Exists);
    public static FieldFilter NotExists(string path) => new(path, FilterOperator.NotExists);
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

public enum StorageErrorKind
{
    NotFound,
    Conflict,
    PreconditionFailed,
    /// <summary>The document exceeds the 2 MB item limit of Cosmos DB (enforced by every adapter).</summary>
    TooLarge,
    Unavailable,
    /// <summary>The store refused the request as malformed, e.g. a patch removing a property that does not exist.</summary>
    BadRequest,
}

public sealed class StorageException(StorageErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public StorageErrorKind Kind { get; } = kind;
}
