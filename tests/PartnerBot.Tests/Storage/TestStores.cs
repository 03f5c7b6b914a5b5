using PartnerBot.Api.Storage;
using PartnerBot.Api.Storage.Cosmos;
using PartnerBot.Api.Storage.Sqlite;

namespace PartnerBot.Tests.Storage;

public enum StoreKind { Sqlite, Cosmos }

/// <summary>
/// A fresh, empty document store of either kind for one test or test class: a new SQLite file in a temporary
/// folder, or a new database on the shared Cosmos DB protocol test server. Dispose deletes it.
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    private readonly Func<IDocumentStore> _open;
    private readonly Func<Task> _cleanup;
    private readonly List<IDocumentStore> _opened = [];

    private TestStore(StoreKind kind, Func<IDocumentStore> open, Func<Task> cleanup, IReadOnlyDictionary<string, string?> configuration)
    {
        Kind = kind;
        _open = open;
        _cleanup = cleanup;
        Configuration = configuration;
        Store = Reopen();
    }

    public StoreKind Kind { get; }

    /// <summary>The store under test.</summary>
    public IDocumentStore Store { get; }

    /// <summary>The <c>Storage:*</c> settings that make a host use this same store (for end-to-end tests).</summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; }

    /// <summary>A new adapter instance over the same data (a "restart").</summary>
    public IDocumentStore Reopen()
    {
        var store = _open();
        _opened.Add(store);
        return store;
    }

    public static Task<TestStore> CreateAsync(StoreKind kind, CancellationToken ct = default) => kind switch
    {
        StoreKind.Sqlite => Task.FromResult(CreateSqlite()),
        StoreKind.Cosmos => CreateCosmosAsync(ct),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static TestStore CreateSqlite()
    {
        var folder = Path.Combine(Path.GetTempPath(), "partnerbot-tests", Guid.NewGuid().ToString("N"));
        var file = Path.Combine(folder, "store.db");
        return new TestStore(StoreKind.Sqlite, () => new SqliteDocumentStore(file), () =>
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            return Task.CompletedTask;
        }, new Dictionary<string, string?> { ["Storage:Provider"] = "Sqlite", ["Storage:Sqlite:Path"] = file });
    }

    private static async Task<TestStore> CreateCosmosAsync(CancellationToken ct)
    {
        var server = await CosmosTestServer.GetAsync();
        var database = "t" + Guid.NewGuid().ToString("N");
        await server.Admin.CreateDatabaseAsync(database, cancellationToken: ct);
        return new TestStore(StoreKind.Cosmos, () => new CosmosDocumentStore(server.Options(database)),
            async () => { using var _ = await server.Admin.GetDatabase(database).DeleteStreamAsync(); },
            server.Configuration(database));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _opened)
        {
            if (store is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync();
            else if (store is IDisposable disposable) disposable.Dispose();
        }
        await _cleanup();
    }
}
