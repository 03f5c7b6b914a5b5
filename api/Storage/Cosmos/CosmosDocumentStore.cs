using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PartnerBot.Api.Json;
using CosmosPatch = Microsoft.Azure.Cosmos.PatchOperation;

namespace PartnerBot.Api.Storage.Cosmos;

/// <summary>
/// Azure Cosmos DB (NoSQL API) through the official SDK's stream APIs: one container per aggregate, partition key
/// path <c>/pk</c>, TTL on (container default -1, per-item <c>ttl</c>), conditional writes by ETag, conditional
/// patch by filter predicate, queries paged by the SDK's continuation token. No batches, no bulk mode.
/// </summary>
public sealed class CosmosDocumentStore : IDocumentStore, IAsyncDisposable, IDisposable
{
    private const string PartitionKeyPath = "/pk";

    private readonly CosmosClient _client;
    private readonly Database _database;
    private readonly CosmosStorageOptions _options;
    private readonly ILogger _logger;
    private readonly IReadOnlyDictionary<string, StorageContainer> _declared;
    private readonly ConcurrentDictionary<string, Lazy<Task<Container>>> _containers = new(StringComparer.Ordinal);
    private volatile bool _initialized;

    public CosmosDocumentStore(CosmosStorageOptions options, ILogger<CosmosDocumentStore>? logger = null,
        IEnumerable<StorageContainer>? containers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        _options = options;
        _logger = logger ?? NullLogger<CosmosDocumentStore>.Instance;
        _declared = (containers ?? []).GroupBy(c => c.Name)
            .ToDictionary(g => g.Key, g => new StorageContainer(g.Key, g.SelectMany(c => c.OrderByPaths).Distinct().ToList()));
        _client = new CosmosClient(options.ConnectionString, new CosmosClientOptions
        {
            ApplicationName = "PartnerBot",
            ConnectionMode = Enum.Parse<ConnectionMode>(options.ConnectionMode, ignoreCase: true),
            LimitToEndpoint = options.LimitToEndpoint,
            // Throttled requests (429) are retried by the SDK, honouring the server's retry-after.
            MaxRetryAttemptsOnRateLimitedRequests = 9,
            MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.FromSeconds(30),
            EnableContentResponseOnWrite = true,
        });
        _database = _client.GetDatabase(options.Database);
    }

    /// <summary>
    /// Creates the database and every declared container (idempotent; once it has succeeded, later calls return at
    /// once). Called at host start-up and bounded by <see cref="CosmosStorageOptions.StartupTimeout"/>: the SDK on
    /// its own retries an unreachable endpoint for well over a minute.
    /// </summary>
    /// <exception cref="StorageException">Kind <see cref="StorageErrorKind.Unavailable"/>, with a one-line message naming the endpoint.</exception>
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        if (_initialized) return;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.StartupTimeout);
        try
        {
            // WaitAsync as well as the token: not every SDK retry path observes cancellation promptly.
            await CreateDatabaseAndContainersAsync(timeout.Token).WaitAsync(timeout.Token);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is OperationCanceledException or TimeoutException
                                      or HttpRequestException or CosmosException or System.Net.Sockets.SocketException)
        {
            throw new StorageException(StorageErrorKind.Unavailable, CosmosStartupFailure.Describe(_options, e), e);
        }
        _initialized = true;
        _logger.LogInformation("Cosmos DB database {Database} ready with containers {Containers}", _options.Database, _declared.Keys);
    }

    private async Task CreateDatabaseAndContainersAsync(CancellationToken ct)
    {
        await _client.CreateDatabaseIfNotExistsAsync(_options.Database, cancellationToken: ct);
        foreach (var name in _declared.Keys) await ContainerAsync(name, ct);
    }

    public async Task<StoredDocument?> ReadAsync(string container, string partitionKey, string id, CancellationToken ct = default)
    {
        DocumentRules.ValidateKey(container, partitionKey, id);
        var c = await ContainerAsync(container, ct);
        using var response = await c.ReadItemStreamAsync(id, new PartitionKey(partitionKey), cancellationToken: ct);
        Observe("read", container, response);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        return await ToDocumentAsync(container, partitionKey, id, response, ct);
    }

    public Task<StoredDocument> CreateAsync(string container, string partitionKey, string id, JsonObject body,
        DocumentOptions? options = null, CancellationToken ct = default) =>
        CreateAsync(container, partitionKey, id, Payload(container, partitionKey, id, body, options), ct);

    public Task<StoredDocument> CreateTypedAsync<T>(string container, string partitionKey, string id, T body, JsonTypeInfo<T> typeInfo,
        DocumentOptions? options = null, CancellationToken ct = default) =>
        CreateAsync(container, partitionKey, id, Payload(container, partitionKey, id, body, typeInfo, options), ct);

    private async Task<StoredDocument> CreateAsync(string container, string partitionKey, string id, byte[] payload, CancellationToken ct)
    {
        var c = await ContainerAsync(container, ct);
        using var stream = new MemoryStream(payload, writable: false);
        using var response = await c.CreateItemStreamAsync(stream, new PartitionKey(partitionKey), cancellationToken: ct);
        Observe("create", container, response);
        return await ToDocumentAsync(container, partitionKey, id, response, ct);
    }

    public async Task<StoredDocument> UpsertAsync(string container, string partitionKey, string id, JsonObject body,
        DocumentOptions? options = null, CancellationToken ct = default)
    {
        var payload = Payload(container, partitionKey, id, body, options);
        var c = await ContainerAsync(container, ct);
        using var stream = new MemoryStream(payload, writable: false);
        using var response = await c.UpsertItemStreamAsync(stream, new PartitionKey(partitionKey), cancellationToken: ct);
        Observe("upsert", container, response);
        return await ToDocumentAsync(container, partitionKey, id, response, ct);
    }

    public Task<StoredDocument> ReplaceAsync(string container, string partitionKey, string id, JsonObject body, string ifMatch,
        DocumentOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(ifMatch);
        return ReplaceAsync(container, partitionKey, id, Payload(container, partitionKey, id, body, options), ifMatch, ct);
    }

    public Task<StoredDocument> ReplaceTypedAsync<T>(string container, string partitionKey, string id, T body, JsonTypeInfo<T> typeInfo,
        string ifMatch, DocumentOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(ifMatch);
        return ReplaceAsync(container, partitionKey, id, Payload(container, partitionKey, id, body, typeInfo, options), ifMatch, ct);
    }

    private async Task<StoredDocument> ReplaceAsync(string container, string partitionKey, string id, byte[] payload, string ifMatch,
        CancellationToken ct)
    {
        var c = await ContainerAsync(container, ct);
        using var stream = new MemoryStream(payload, writable: false);
        using var response = await c.ReplaceItemStreamAsync(stream, id, new PartitionKey(partitionKey),
            new ItemRequestOptions { IfMatchEtag = ifMatch }, ct);
        Observe("replace", container, response);
        return await ToDocumentAsync(container, partitionKey, id, response, ct);
    }

    public async Task DeleteAsync(string container, string partitionKey, string id, string? ifMatch = null, CancellationToken ct = default)
    {
        DocumentRules.ValidateKey(container, partitionKey, id);
        var c = await ContainerAsync(container, ct);
        using var response = await c.DeleteItemStreamAsync(id, new PartitionKey(partitionKey),
            ifMatch is null ? null : new ItemRequestOptions { IfMatchEtag = ifMatch }, ct);
        Observe("delete", container, response);
        EnsureSuccess(response, id);
    }

    public async Task<StoredDocument> PatchAsync(string container, string partitionKey, string id, IReadOnlyList<PatchOperation> operations,
        IReadOnlyList<FieldFilter>? condition = null, string? ifMatch = null, CancellationToken ct = default)
    {
        DocumentRules.ValidateKey(container, partitionKey, id);
        PatchApplier.Validate(operations);
        var options = new PatchItemRequestOptions { IfMatchEtag = ifMatch };
        if (condition is { Count: > 0 }) options.FilterPredicate = "FROM c WHERE " + new CosmosSql(inlineLiterals: true).Where(condition);
        var c = await ContainerAsync(container, ct);
        using var response = await c.PatchItemStreamAsync(id, new PartitionKey(partitionKey), operations.Select(ToCosmos).ToList(), options, ct);
        Observe("patch", container, response);
        return await ToDocumentAsync(container, partitionKey, id, response, ct);
    }

    public async Task<DocumentPage> QueryAsync(string container, string? partitionKey, DocumentQuery query, CancellationToken ct = default)
    {
        DocumentRules.ValidateContainer(container);
        DocumentRules.ValidateQuery(query);
        var sdkToken = CosmosContinuation.Decode(query);
        var sql = new CosmosSql();
        var direction = query.Descending ? "DESC" : "ASC";
        var orderBy = query.OrderBy is null ? $"c.id {direction}" : $"{CosmosSql.Property(query.OrderBy)} {direction}, c.id {direction}";
        var definition = sql.Definition($"SELECT * FROM c WHERE {sql.Where(query.Filters)} ORDER BY {orderBy}");
        var requestOptions = new QueryRequestOptions
        {
            MaxItemCount = query.PageSize,
            PartitionKey = partitionKey is null ? null : new PartitionKey(partitionKey),
        };

        var c = await ContainerAsync(container, ct);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await ReadPageAsync(c, container, definition, sdkToken, requestOptions, query, ct);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.BadRequest && attempt == 0 && query.OrderBy is not null
                                             && e.Message.Contains("composite index", StringComparison.OrdinalIgnoreCase))
            {
                await AddCompositeIndexAsync(c, query.OrderBy, ct);
            }
        }
    }

    private async Task<DocumentPage> ReadPageAsync(Container c, string container, QueryDefinition definition, string? sdkToken,
        QueryRequestOptions requestOptions, DocumentQuery query, CancellationToken ct)
    {
        using var iterator = c.GetItemQueryStreamIterator(definition, sdkToken, requestOptions);
        // The SDK may hand back empty pages (cross-partition fan-out); skip them so a page is empty only at the end.
        while (iterator.HasMoreResults)
        {
            using var response = await iterator.ReadNextAsync(ct);
            Observe("query", container, response);
            if (response.StatusCode == HttpStatusCode.BadRequest && sdkToken is not null && response.ErrorMessage?.Contains("continuation", StringComparison.OrdinalIgnoreCase) == true)
                throw new ArgumentException("The continuation token is not valid.", nameof(query));
            EnsureSuccess(response, container);
            var page = await JsonNode.ParseAsync(response.Content, cancellationToken: ct);
            var items = new List<StoredDocument>();
            foreach (var node in page?["Documents"]?.AsArray() ?? [])
            {
                var body = node!.AsObject();
                items.Add(FromBody(container, body, etag: null));
            }
            var next = response.ContinuationToken;
            if (items.Count > 0 || next is null)
                return new DocumentPage(items, next is null ? null : CosmosContinuation.Encode(next, query));
        }
        return new DocumentPage([], null);
    }

    public async Task<bool> PingAsync(CancellationToken ct = default)
    {
        try
        {
            using var response = await _database.ReadStreamAsync(cancellationToken: ct);
            Observe("ping", "", response);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is CosmosException or HttpRequestException)
        {
            _logger.LogWarning(e, "Cosmos DB ping failed");
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _client.Dispose();

    private Task<Container> ContainerAsync(string name, CancellationToken ct)
    {
        var lazy = _containers.GetOrAdd(name, n => new Lazy<Task<Container>>(() => CreateContainerAsync(n)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled) _containers.TryRemove(new KeyValuePair<string, Lazy<Task<Container>>>(name, lazy));
        return task.WaitAsync(ct);
    }

    private async Task<Container> CreateContainerAsync(string name)
    {
        var properties = new ContainerProperties(name, PartitionKeyPath)
        {
            DefaultTimeToLive = -1,
            IndexingPolicy = new IndexingPolicy { IndexingMode = IndexingMode.Consistent, Automatic = true },
        };
        properties.IndexingPolicy.IncludedPaths.Add(new IncludedPath { Path = "/*" });
        properties.IndexingPolicy.ExcludedPaths.Add(new ExcludedPath { Path = "/\"_etag\"/?" });
        if (_declared.TryGetValue(name, out var declared))
            foreach (var path in declared.OrderByPaths) AddCompositePair(properties.IndexingPolicy, path);

        ContainerResponse response;
        try
        {
            response = await _database.CreateContainerIfNotExistsAsync(properties);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // The database is missing (first use without InitializeAsync): create it, then the container.
            await _client.CreateDatabaseIfNotExistsAsync(_options.Database);
            response = await _database.CreateContainerIfNotExistsAsync(properties);
        }

        // An existing container keeps its policy: add composite indexes declared since it was created.
        var existing = response.Resource;
        if (declared is not null && existing is not null)
        {
            var before = existing.IndexingPolicy.CompositeIndexes.Count;
            foreach (var path in declared.OrderByPaths) AddCompositePair(existing.IndexingPolicy, path);
            if (existing.IndexingPolicy.CompositeIndexes.Count != before)
            {
                _logger.LogInformation("Adding declared composite indexes to container {Container}", name);
                await response.Container.ReplaceContainerAsync(existing);
            }
        }
        return response.Container;
    }

    /// <summary>An ORDER BY on an undeclared path: add its composite index so the query (and the next ones) can run.</summary>
    private async Task AddCompositeIndexAsync(Container container, string orderBy, CancellationToken ct)
    {
        _logger.LogWarning("Container {Container} had no composite index for ORDER BY {Path}; adding it. Declare it with AddStorageContainer.",
            container.Id, orderBy);
        var properties = (await container.ReadContainerAsync(cancellationToken: ct)).Resource;
        AddCompositePair(properties.IndexingPolicy, orderBy);
        await container.ReplaceContainerAsync(properties, cancellationToken: ct);
    }

    private static void AddCompositePair(IndexingPolicy policy, string path)
    {
        JsonPointer.Parse(path);
        foreach (var order in new[] { CompositePathSortOrder.Ascending, CompositePathSortOrder.Descending })
        {
            var exists = policy.CompositeIndexes.Any(ci => ci.Count == 2 && ci[0].Path == path && ci[0].Order == order && ci[1].Path == "/id" && ci[1].Order == order);
            if (!exists)
                policy.CompositeIndexes.Add(new Collection<CompositePath>
                {
                    new() { Path = path, Order = order },
                    new() { Path = "/id", Order = order },
                });
        }
    }

    private static byte[] Payload(string container, string partitionKey, string id, JsonObject body, DocumentOptions? options) =>
        Payload(container, partitionKey, id, options, (buffer, extra) => DocumentRules.WriteBody(buffer, id, body, extra));

    private static byte[] Payload<T>(string container, string partitionKey, string id, T body, JsonTypeInfo<T> typeInfo, DocumentOptions? options) =>
        Payload(container, partitionKey, id, options, (buffer, extra) => DocumentRules.WriteBody(buffer, id, body, typeInfo, extra));

    /// <summary>The stored JSON: the body as <paramref name="writeBody"/> writes it, with this adapter's <c>pk</c> (and <c>ttl</c>).</summary>
    private static byte[] Payload(string container, string partitionKey, string id, DocumentOptions? options,
        Action<System.Buffers.ArrayBufferWriter<byte>, (string, JsonNode)[]> writeBody)
    {
        DocumentRules.ValidateKey(container, partitionKey, id);
        var ttl = DocumentRules.TtlSeconds(options);
        var buffer = ScratchBuffer.Rent();
        byte[] bytes;
        try
        {
            (string, JsonNode) pk = ("pk", JsonValue.Create(partitionKey));
            writeBody(buffer, ttl is null ? [pk] : [pk, ("ttl", JsonValue.Create(ttl.Value))]);
            bytes = buffer.WrittenSpan.ToArray();
        }
        finally
        {
            ScratchBuffer.Return(buffer);
        }
        if (bytes.Length > DocumentRules.MaxDocumentBytes)
            throw new StorageException(StorageErrorKind.TooLarge, $"Document '{id}' is larger than the 2 MB item limit.");
        return bytes;
    }

    private async Task<StoredDocument> ToDocumentAsync(string container, string partitionKey, string id, ResponseMessage response, CancellationToken ct)
    {
        EnsureSuccess(response, id);
        var body = (await JsonNode.ParseAsync(response.Content, cancellationToken: ct))!.AsObject();
        var document = FromBody(container, body, response.Headers.ETag);
        return document.PartitionKey == partitionKey && document.Id == id
            ? document
            : throw new StorageException(StorageErrorKind.Unavailable, $"Cosmos DB answered for '{document.Id}' when asked for '{id}'.");
    }

    /// <summary>Strips what the adapter owns (<c>pk</c>, <c>ttl</c>, system properties) and keeps the ETag.</summary>
    private static StoredDocument FromBody(string container, JsonObject body, string? etag)
    {
        etag ??= (string?)body["_etag"];
        var id = (string?)body["id"] ?? throw new StorageException(StorageErrorKind.Unavailable, "Cosmos DB returned a document without id.");
        var partitionKey = (string?)body["pk"] ?? "";
        foreach (var name in body.Select(p => p.Key).Where(n => n is "pk" or "ttl" || n.StartsWith('_')).ToList()) body.Remove(name);
        return new StoredDocument(container, partitionKey, id, body, etag ?? throw new StorageException(StorageErrorKind.Unavailable, "Cosmos DB returned no ETag."));
    }

    private static CosmosPatch ToCosmos(PatchOperation operation) => operation.Type switch
    {
        PatchOperationType.Set => CosmosPatch.Set(operation.Path, operation.Value is null ? null : Newtonsoft.Json.Linq.JToken.Parse(operation.Value.ToJsonString())),
        PatchOperationType.Increment => JsonScalar.Number(operation.Value!.AsValue()) switch
        {
            long l => CosmosPatch.Increment(operation.Path, l),
            var d => CosmosPatch.Increment(operation.Path, Convert.ToDouble(d, System.Globalization.CultureInfo.InvariantCulture)),
        },
        PatchOperationType.Remove => CosmosPatch.Remove(operation.Path),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation.Type, "Unknown patch operation."),
    };

    private static void EnsureSuccess(ResponseMessage response, string subject)
    {
        if (response.IsSuccessStatusCode) return;
        var detail = FirstLine(response.ErrorMessage);
        var kind = response.StatusCode switch
        {
            HttpStatusCode.NotFound => StorageErrorKind.NotFound,
            HttpStatusCode.Conflict => StorageErrorKind.Conflict,
            HttpStatusCode.PreconditionFailed => StorageErrorKind.PreconditionFailed,
            HttpStatusCode.RequestEntityTooLarge => StorageErrorKind.TooLarge,
            HttpStatusCode.BadRequest => StorageErrorKind.BadRequest,
            _ => StorageErrorKind.Unavailable,
        };
        throw new StorageException(kind, $"Cosmos DB {(int)response.StatusCode} for '{subject}': {detail}");
    }

    /// <summary>The SDK's message on one line, without its diagnostics dump.</summary>
    private static string FirstLine(string? message)
    {
        if (string.IsNullOrEmpty(message)) return "(no message)";
        var cut = message.IndexOf("Diagnostics", StringComparison.Ordinal);
        var text = string.Join(' ', (cut > 0 ? message[..cut] : message).Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
        return text.Length > 500 ? text[..500] : text;
    }

    private void Observe(string operation, string container, ResponseMessage response)
    {
        var elapsed = response.Diagnostics?.GetClientElapsedTime() ?? TimeSpan.Zero;
        if (elapsed > _options.SlowRequestThreshold)
            _logger.LogWarning("Slow Cosmos DB {Operation} on {Container}: {ElapsedMs} ms, status {Status}, {RequestCharge} RU. Diagnostics: {Diagnostics}",
                operation, container, (long)elapsed.TotalMilliseconds, (int)response.StatusCode, response.Headers.RequestCharge, response.Diagnostics);
    }
}
