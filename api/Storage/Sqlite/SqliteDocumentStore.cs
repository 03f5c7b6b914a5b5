using System.Buffers;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PartnerBot.Api.Json;

namespace PartnerBot.Api.Storage.Sqlite;

/// <summary>
/// The embedded store: every container in one SQLite file (WAL), documents as JSON text queried with JSON1.
/// Every write goes through the one <see cref="SqliteWriter"/> connection (a patch's read, check and rewrite inside
/// its transaction); reads run on pooled connections side by side.
/// </summary>
public sealed class SqliteDocumentStore : IDocumentStore, IDisposable
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);
    /// <summary>Readers kept open: a busy host runs this many turns at once, and opening a connection costs more than a read.</summary>
    private const int MaxIdleReaders = 64;
    private const string Live = "(expires_at IS NULL OR expires_at > @now)";
    private const string ReadSql = $"SELECT body, etag FROM documents WHERE container = @c AND pk = @pk AND id = @id AND {Live}";
    private const string ExistsSql = $"SELECT 1 FROM documents WHERE container = @c AND pk = @pk AND id = @id AND {Live}";
    // An expired document with the same id is invisible, so it may be overwritten as if absent.
    private const string CreateSql = """
        INSERT INTO documents (container, pk, id, body, etag, expires_at) VALUES (@c, @pk, @id, CAST(@body AS TEXT), @etag, @exp)
        ON CONFLICT (container, pk, id) DO UPDATE SET body = excluded.body, etag = excluded.etag, expires_at = excluded.expires_at
        WHERE documents.expires_at IS NOT NULL AND documents.expires_at <= @now
        """;
    private const string UpsertSql = """
        INSERT INTO documents (container, pk, id, body, etag, expires_at) VALUES (@c, @pk, @id, CAST(@body AS TEXT), @etag, @exp)
        ON CONFLICT (container, pk, id) DO UPDATE SET body = excluded.body, etag = excluded.etag, expires_at = excluded.expires_at
        """;
    private const string ReplaceSql = $"""
        UPDATE documents SET body = CAST(@body AS TEXT), etag = @etag, expires_at = @exp
        WHERE container = @c AND pk = @pk AND id = @id AND {Live} AND etag = @match
        """;
    private const string DeleteSql = $"DELETE FROM documents WHERE container = @c AND pk = @pk AND id = @id AND {Live}";
    private const string DeleteIfMatchSql = DeleteSql + " AND etag = @match";
    private const string PatchWriteSql = "UPDATE documents SET body = CAST(@body AS TEXT), etag = @etag WHERE container = @c AND pk = @pk AND id = @id";

    private readonly SqliteConnectionPool _pool;
    private readonly SqliteWriter _writer;
    private readonly SqliteCheckpointer _checkpointer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _nextPurgeAt;

    public SqliteDocumentStore(string path, TimeProvider? time = null, ILogger<SqliteDocumentStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FilePath = System.IO.Path.GetFullPath(path);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<SqliteDocumentStore>.Instance;
        var directory = System.IO.Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30,
        }.ToString();
        _pool = new SqliteConnectionPool(connectionString, maxIdle: MaxIdleReaders);
        Initialize();
        _writer = new SqliteWriter(_pool.Open, System.IO.Path.GetFileName(FilePath));
        _checkpointer = new SqliteCheckpointer(_pool.Open, System.IO.Path.GetFileName(FilePath), _logger);
    }

    /// <summary>The absolute path of the database file.</summary>
    public string FilePath { get; }

    private void Initialize()
    {
        var connection = _pool.Rent();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS documents (
                    container  TEXT    NOT NULL,
                    pk         TEXT    NOT NULL,
                    id         TEXT    NOT NULL,
                    body       TEXT    NOT NULL,
                    etag       TEXT    NOT NULL,
                    expires_at INTEGER NULL,
                    PRIMARY KEY (container, pk, id)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS ix_documents_expiry ON documents (expires_at) WHERE expires_at IS NOT NULL;
                CREATE INDEX IF NOT EXISTS ix_documents_container_id ON documents (container, id);
                """;
            command.ExecuteNonQuery();
        }
        finally
        {
            _pool.Return(connection);
        }
        _logger.LogInformation("SQLite document store at {Path}", FilePath);
    }

    public Task<StoredDocument?> ReadAsync(string container, string partitionKey, string id, CancellationToken ct = default)
    {
        DocumentRules.ValidateKey(container, partitionKey, id);
        return Run(ct, connection =>
        {
            using var statement = KeyCommand(connection, container, partitionKey, id, ReadSql);
            var command = statement.Command;
            using var reader = command.ExecuteReader();
            return reader.Read() ? Document(container, partitionKey, id, Utf8(reader, 0), reader.GetString(1)) : null;
        });
    }

    public Task<StoredDocument> CreateAsync(string container, string partitionKey, string id, JsonObject body,
        DocumentOptions? options = null, CancellationToken ct = default) =>
        Create(container, partitionKey, id, PrepareWrite(container, partitionKey, id, body, options), ct);

    public Task<StoredDocument> CreateTypedAsync<T>(string container, string partitionKey, string id, T body, JsonTypeInfo<T> typeInfo,
        DocumentOptions? options = null, CancellationToken ct = default) =>
        Create(container, partitionKey, id, PrepareWrite(container, partitionKey, id, body, typeInfo, options), ct);

    private Task<StoredDocument> Create(string container, string partitionKey, string id, (byte[] Json, long? ExpiresAt) prepared, CancellationToken ct)
    {
        var (json, expiresAt) = prepared;
        return Write(ct, connection =>
        {
            var etag = NewETag();
            using var statement = KeyCommand(connection, container, partitionKey, id, CreateSql);
            var command = statement.Command;
            AddWriteParameters(command, json, etag, expiresAt);
            if (command.ExecuteNonQuery() == 0)
                throw new StorageException(StorageErrorKind.Conflict, $"Document '{id}' already exists in {container}/{partitionKey}.");
            return Document(container, partitionKey, id, json, etag);
        });
    }

    public Task<StoredDocument> UpsertAsync(string container, string partitionKey, string id, JsonObject body,
        DocumentOptions? options = null, CancellationToken ct = default)
    {
        var (json, expiresAt) = PrepareWrite(container, partitionKey, id, body, options);
        return Write(ct, connection =>
        {
            var etag = NewETag();
            using var statement = KeyCommand(connection, container, partitionKey, id, UpsertSql);
            var command = statement.Command;
            AddWriteParameters(command, json, etag, expiresAt);
            command.ExecuteNonQuery();
            return Document(container, partitionKey, id, json, etag);
        });
    }

    public Task<StoredDocument> ReplaceAsync(string container, string partitionKey, string id, JsonObject body, string ifMatch,
        DocumentOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(ifMatch);
        return Replace(container, partitionKey, id, PrepareWrite(container, partitionKey, id, body, options), ifMatch, ct);
    }

    public Task<StoredDocument> ReplaceTypedAsync<T>(string container, string partitionKey, string id, T body, JsonTypeInfo<T> typeInfo,
        string ifMatch, DocumentOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(ifMatch);
        return Replace(container, partitionKey, id, PrepareWrite(container, partitionKey, id, body, typeInfo, options), ifMatch, ct);
    }

    private Task<StoredDocument> Replace(string container, string partitionKey, string id, (byte[] Json, long? ExpiresAt) prepared,
        string ifMatch, CancellationToken ct)
    {
        var (json, expiresAt) = prepared;
        return Write(ct, connection =>
        {
            var etag = NewETag();
            using var statement = KeyCommand(connection, container, partitionKey, id, ReplaceSql);
            var command = statement.Command;
            AddWriteParameters(command, json, etag, expiresAt);
            command.Parameters.AddWithValue("@match", ifMatch);
            if (command.ExecuteNonQuery() == 0) throw MissingOrChanged(connection, container, partitionKey, id);
            return Document(container, partitionKey, id, json, etag);
        });
    }

    public Task DeleteAsync(string container, string partitionKey, string id, string? ifMatch = null, CancellationToken ct = default)
    {
        DocumentRules.ValidateKey(container, partitionKey, id);
        return Write(ct, connection =>
        {
            using var statement = KeyCommand(connection, container, partitionKey, id, ifMatch is null ? DeleteSql : DeleteIfMatchSql);
            var command = statement.Command;
            if (ifMatch is not null) command.Parameters.AddWithValue("@match", ifMatch);
            if (command.ExecuteNonQuery() == 0) throw MissingOrChanged(connection, container, partitionKey, id);
            return true;
        });
    }

    public Task<StoredDocument> PatchAsync(string container, string partitionKey, string id, IReadOnlyList<PatchOperation> operations,
        IReadOnlyList<FieldFilter>? condition = null, string? ifMatch = null, CancellationToken ct = default)
    {
        DocumentRules.ValidateKey(container, partitionKey, id);
        PatchApplier.Validate(operations);
        return Write(ct, connection =>
        {
            using var scratch = new SqliteCommand();
            var where = new SqliteSql(scratch).Where(condition);
            using var statement = KeyCommand(connection, container, partitionKey, id,
                $"SELECT body, etag, expires_at, ({where}) FROM documents WHERE container = @c AND pk = @pk AND id = @id AND {Live}");
            var select = statement.Command;
            MoveParameters(scratch, select);
            byte[] json;
            string etag;
            long? expiresAt;
            bool conditionHolds;
            using (var reader = select.ExecuteReader())
            {
                if (!reader.Read())
                    throw new StorageException(StorageErrorKind.NotFound, $"Document '{id}' does not exist in {container}/{partitionKey}.");
                (json, etag, expiresAt, conditionHolds) =
                    (Utf8(reader, 0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), !reader.IsDBNull(3) && reader.GetInt64(3) != 0);
            }
            if (ifMatch is not null && ifMatch != etag)
                throw new StorageException(StorageErrorKind.PreconditionFailed, $"Document '{id}' has changed (ETag mismatch).");
            if (!conditionHolds)
                throw new StorageException(StorageErrorKind.PreconditionFailed, $"Document '{id}' does not satisfy the patch condition.");

            var body = JsonNode.Parse(json)!.AsObject();
            PatchApplier.Apply(body, operations);
            var updated = Utf8(body);
            DocumentRules.EnsureSize(updated, id);
            var newETag = NewETag();
            using var updateStatement = KeyCommand(connection, container, partitionKey, id, PatchWriteSql);
            var update = updateStatement.Command;
            AddWriteParameters(update, updated, newETag, expiresAt);
            update.ExecuteNonQuery();
            return Document(container, partitionKey, id, updated, newETag);
        });
    }

    public Task<DocumentPage> QueryAsync(string container, string? partitionKey, DocumentQuery query, CancellationToken ct = default)
    {
        DocumentRules.ValidateContainer(container);
        DocumentRules.ValidateQuery(query);
        return Run(ct, connection =>
        {
            using var scratch = new SqliteCommand();
            var sql = new SqliteSql(scratch);
            scratch.Parameters.AddWithValue("@c", container);
            scratch.Parameters.AddWithValue("@now", Now());
            var crossPartition = partitionKey is null;
            if (!crossPartition) scratch.Parameters.AddWithValue("@pk", partitionKey);

            // Sort keys: (type rank, value) of the ORDER BY property when there is one, then id (then pk across partitions).
            var keyList = new List<string>();
            string rank = "0", value = "0";
            if (query.OrderBy is not null)
            {
                var orderPath = sql.Parameter(SqliteSql.ToSqlitePath(JsonPointer.Parse(query.OrderBy)));
                (rank, value) = (SqliteSql.Rank(orderPath), SqliteSql.SortValue(orderPath));
                keyList.AddRange([rank, value]);
            }
            keyList.Add("id");
            if (crossPartition) keyList.Add("pk");
            var direction = query.Descending ? "DESC" : "ASC";
            var order = string.Join(", ", keyList.Select(k => $"{k} {direction}"));

            var where = $"container = @c AND {Live}" + (crossPartition ? "" : " AND pk = @pk") + " AND " + sql.Where(query.Filters);
            if (query.ContinuationToken is not null)
            {
                var after = SqliteContinuation.Decode(query.ContinuationToken, query);
                var position = new List<string>();
                if (query.OrderBy is not null) position.AddRange([sql.Parameter(after.Rank), sql.Parameter(after.SortValue())]);
                position.Add(sql.Parameter(after.Id));
                if (crossPartition) position.Add(sql.Parameter(after.PartitionKey));
                where += $" AND ({string.Join(", ", keyList)}) {(query.Descending ? "<" : ">")} ({string.Join(", ", position)})";
            }
            using var statement = Statement(connection,
                $"SELECT pk, id, body, etag, {rank} AS sort_rank, {value} AS sort_value FROM documents WHERE {where} ORDER BY {order} LIMIT {query.PageSize + 1}");
            var command = statement.Command;
            MoveParameters(scratch, command);

            var items = new List<StoredDocument>(Math.Min(query.PageSize, 256));
            SqliteContinuation? next = null;
            var lastRank = 0;
            JsonValue? lastValue = null;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (items.Count == query.PageSize)
                {
                    var last = items[^1];
                    next = new SqliteContinuation(query.OrderBy, query.Descending, lastRank, lastValue, last.Id, last.PartitionKey);
                    break;
                }
                items.Add(Document(container, reader.GetString(0), reader.GetString(1), Utf8(reader, 2), reader.GetString(3)));
                lastRank = (int)reader.GetInt64(4);
                lastValue = reader.GetValue(5) switch
                {
                    long l => JsonValue.Create(l),
                    double d => JsonValue.Create(d),
                    string s => JsonValue.Create(s),
                    _ => null,
                };
            }
            return new DocumentPage(items, next?.Encode());
        });
    }

    public Task<bool> PingAsync(CancellationToken ct = default) =>
        Run(ct, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'documents'";
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
        });

    /// <summary>Deletes every expired document now (also done in passing about once a minute).</summary>
    public Task<int> PurgeExpiredAsync(CancellationToken ct = default) =>
        ct.IsCancellationRequested ? Task.FromCanceled<int>(ct) : _writer.Enqueue(PurgeExpired);

    public void Dispose()
    {
        _checkpointer.Dispose();
        _writer.Dispose();
        _pool.Dispose();
    }

    private int PurgeExpired(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM documents WHERE expires_at IS NOT NULL AND expires_at <= @now";
        command.Parameters.AddWithValue("@now", Now());
        return command.ExecuteNonQuery();
    }

    /// <summary>
    /// Runs one operation on a pooled connection. SQLite calls are synchronous, so the work happens on the calling
    /// thread; failures come back in the returned task, as they would from an I/O-bound store.
    /// </summary>
    private Task<T> Run<T>(CancellationToken ct, Func<SqliteConnection, T> operation)
    {
        if (ct.IsCancellationRequested) return Task.FromCanceled<T>(ct);
        SqliteConnection connection;
        try
        {
            connection = _pool.Rent();
        }
        catch (SqliteException e)
        {
            return Task.FromException<T>(new StorageException(StorageErrorKind.Unavailable, $"SQLite database '{FilePath}' cannot be opened: {e.Message}", e));
        }
        try
        {
            return Task.FromResult(operation(connection));
        }
        catch (SqliteException e)
        {
            return Task.FromException<T>(new StorageException(StorageErrorKind.Unavailable, $"SQLite error: {e.Message}", e));
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
        finally
        {
            _pool.Return(connection);
        }
    }

    /// <summary>Queues one write; the task completes once it is committed. Expired documents are purged in passing.</summary>
    private Task<T> Write<T>(CancellationToken ct, Func<SqliteConnection, T> operation)
    {
        if (ct.IsCancellationRequested) return Task.FromCanceled<T>(ct);
        PurgeWhenDue();
        return _writer.Enqueue(operation);
    }

    private void PurgeWhenDue()
    {
        var now = Now();
        var due = Interlocked.Read(ref _nextPurgeAt);
        if (now < due || Interlocked.CompareExchange(ref _nextPurgeAt, now + (long)PurgeInterval.TotalMilliseconds, due) != due) return;
        _ = _writer.Enqueue(connection =>
        {
            var purged = PurgeExpired(connection);
            if (purged > 0) _logger.LogDebug("Purged {Count} expired documents", purged);
            return purged;
        });
    }

    /// <remarks>
    /// Bodies travel as UTF-8, as SQLite keeps them: written as bytes and stored as TEXT (<c>CAST(@body AS TEXT)</c>, so
    /// the JSON functions of queries read them as text), read back as the column's bytes. No body is ever turned into
    /// a .NET string and back.
    /// </remarks>
    private (byte[] Json, long? ExpiresAt) PrepareWrite(string container, string partitionKey, string id, JsonObject body, DocumentOptions? options)
    {
        DocumentRules.ValidateKey(container, partitionKey, id);
        return PrepareWrite(id, options, buffer => DocumentRules.WriteBody(buffer, id, body));
    }

    private (byte[] Json, long? ExpiresAt) PrepareWrite<T>(string container, string partitionKey, string id, T body, JsonTypeInfo<T> typeInfo,
        DocumentOptions? options)
    {
        DocumentRules.ValidateKey(container, partitionKey, id);
        return PrepareWrite(id, options, buffer => DocumentRules.WriteBody(buffer, id, body, typeInfo));
    }

    private (byte[] Json, long? ExpiresAt) PrepareWrite(string id, DocumentOptions? options, Action<ArrayBufferWriter<byte>> writeBody)
    {
        var buffer = ScratchBuffer.Rent();
        byte[] json;
        try
        {
            writeBody(buffer);
            json = buffer.WrittenSpan.ToArray();
        }
        finally
        {
            ScratchBuffer.Return(buffer);
        }
        DocumentRules.EnsureSize(json, id);
        var ttl = DocumentRules.TtlSeconds(options);
        return (json, ttl is null ? null : Now() + ttl.Value * 1000L);
    }

    private StatementLease KeyCommand(SqliteConnection connection, string container, string partitionKey, string id, string sql)
    {
        var statement = Statement(connection, sql);
        var command = statement.Command;
        command.Parameters.AddWithValue("@c", container);
        command.Parameters.AddWithValue("@pk", partitionKey);
        command.Parameters.AddWithValue("@id", id);
        command.Parameters.AddWithValue("@now", Now());
        return statement;
    }

    /// <summary>The connection's kept command for <paramref name="sql"/> (every connection of this store keeps them).</summary>
    private static StatementLease Statement(SqliteConnection connection, string sql) =>
        ((SqliteStatementConnection)connection).Statement(sql);

    /// <summary>Moves the parameters a <see cref="SqliteSql"/> bound while writing the SQL onto the command that runs it.</summary>
    private static void MoveParameters(SqliteCommand from, SqliteCommand to)
    {
        foreach (SqliteParameter parameter in from.Parameters) to.Parameters.AddWithValue(parameter.ParameterName, parameter.Value);
    }

    /// <summary>A body column's UTF-8 bytes (the column is TEXT; SQLite hands its text out as it stores it).</summary>
    private static byte[] Utf8(SqliteDataReader reader, int ordinal) => reader.GetFieldValue<byte[]>(ordinal);

    /// <summary>A patched body as compact UTF-8 JSON, written as <see cref="JsonNode.ToJsonString"/> writes it.</summary>
    private static byte[] Utf8(JsonObject body)
    {
        var buffer = ScratchBuffer.Rent();
        try
        {
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer)) body.WriteTo(writer);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            ScratchBuffer.Return(buffer);
        }
    }

    private static void AddWriteParameters(SqliteCommand command, byte[] json, string etag, long? expiresAt)
    {
        command.Parameters.AddWithValue("@body", json);
        command.Parameters.AddWithValue("@etag", etag);
        command.Parameters.AddWithValue("@exp", (object?)expiresAt ?? DBNull.Value);
    }

    private StorageException MissingOrChanged(SqliteConnection connection, string container, string partitionKey, string id)
    {
        using var statement = KeyCommand(connection, container, partitionKey, id, ExistsSql);
        return statement.Command.ExecuteScalar() is null
            ? new StorageException(StorageErrorKind.NotFound, $"Document '{id}' does not exist in {container}/{partitionKey}.")
            : new StorageException(StorageErrorKind.PreconditionFailed, $"Document '{id}' has changed (ETag mismatch).");
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string NewETag() => "\"" + Guid.NewGuid().ToString("N") + "\"";

    private static StoredDocument Document(string container, string partitionKey, string id, byte[] json, string etag) =>
        new(container, partitionKey, id, json, etag);
}
