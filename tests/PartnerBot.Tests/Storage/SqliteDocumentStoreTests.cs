using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Storage.Sqlite;
using PartnerBot.Bot.Hosting;

namespace PartnerBot.Tests.Storage;

public sealed class SqliteDocumentStoreContractTests() : DocumentStoreContractTests(StoreKind.Sqlite)
{
    [Fact]
    public async Task Data_survives_a_new_adapter_over_the_same_file()
    {
        var created = await Store.CreateAsync(Box, "p1", "a", new JsonObject { ["v"] = 1 });
        await Store.PatchAsync(Box, "p1", "a", [PatchOperation.Increment("/v", 41)]);
        ((IDisposable)Store).Dispose();

        var reopened = TestStore.Reopen();
        var read = await reopened.ReadAsync(Box, "p1", "a");
        Assert.Equal(42, (long?)read!.Body["v"]);
        Assert.NotEqual(created.ETag, read.ETag);
    }

    [Fact]
    public async Task Two_adapters_over_one_file_share_conditional_writes_safely()
    {
        await Store.CreateAsync(Box, "wallets", "w1", new JsonObject { ["balance"] = 20 });
        var other = TestStore.Reopen();
        var stores = new[] { Store, other };
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(async () =>
        {
            try
            {
                await stores[i % 2].PatchAsync(Box, "wallets", "w1", [PatchOperation.Increment("/balance", -1)], [FieldFilter.Ge("/balance", 1)]);
                return true;
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed)
            {
                return false;
            }
        })));
        Assert.Equal(20, outcomes.Count(o => o));
        Assert.Equal(0, (long?)(await other.ReadAsync(Box, "wallets", "w1"))!.Body["balance"]);
    }

    [Fact]
    public async Task The_database_file_is_in_wal_mode()
    {
        var path = ((SqliteDocumentStore)Store).FilePath;
        await Store.UpsertAsync(Box, "p1", "a", new JsonObject { ["v"] = 1 });
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)command.ExecuteScalar());
    }

    [Fact]
    public async Task Bodies_written_as_utf8_are_stored_as_json_text_that_queries_read_and_round_trip_exactly()
    {
        var path = ((SqliteDocumentStore)Store).FilePath;
        var text = "Grüße, مرحبا, 日本, \"quoted\" & <tagged> 🚀";
        await Store.CreateAsync(Box, "p1", "created", new JsonObject { ["name"] = text, ["n"] = 1 });
        await Store.UpsertAsync(Box, "p1", "upserted", new JsonObject { ["name"] = text, ["n"] = 2 });
        var replaced = await Store.CreateAsync(Box, "p1", "replaced", new JsonObject { ["n"] = 0 });
        await Store.ReplaceAsync(Box, "p1", "replaced", new JsonObject { ["name"] = text, ["n"] = 3 }, replaced.ETag);
        await Store.CreateAsync(Box, "p1", "patched", new JsonObject { ["name"] = text, ["n"] = 3 });
        await Store.PatchAsync(Box, "p1", "patched", [PatchOperation.Increment("/n", 1)]);

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, typeof(body), json_extract(body, '$.name') FROM documents WHERE container = @c ORDER BY id";
        command.Parameters.AddWithValue("@c", Box);
        using (var reader = command.ExecuteReader())
            while (reader.Read())
            {
                Assert.Equal("text", reader.GetString(1));
                Assert.Equal(text, reader.GetString(2));
            }

        foreach (var id in new[] { "created", "upserted", "replaced", "patched" })
            Assert.Equal(text, (string?)(await Store.ReadAsync(Box, "p1", id))!.Body["name"]);
        var found = await Store.QueryAsync(Box, "p1", new DocumentQuery { Filters = [FieldFilter.Eq("/name", text)] });
        Assert.Equal(["created", "patched", "replaced", "upserted"], found.Items.Select(d => d.Id));
        Assert.Equal(4, (long?)found.Items.Single(d => d.Id == "patched").Body["n"]);
    }

    [Fact]
    public async Task The_write_ahead_log_is_copied_into_the_database_in_the_background()
    {
        var path = ((SqliteDocumentStore)Store).FilePath;
        await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => Store.UpsertAsync(Box, "p" + i % 50, "d" + i, new JsonObject { ["n"] = i })));

        // The WAL index (the -shm file) says how many frames the log holds (mxFrame, offset 16) and how many of them
        // are already in the database file (nBackfill, offset 96). Nothing here checkpoints: only the store may.
        var (frames, copied) = (0u, 0u);
        for (var attempt = 0; attempt < 50 && (frames == 0 || copied != frames); attempt++)
        {
            await Task.Delay(100);
            using var shm = new FileStream(path + "-shm", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var header = new byte[100];
            shm.ReadExactly(header);
            (frames, copied) = (BitConverter.ToUInt32(header, 16), BitConverter.ToUInt32(header, 96));
        }

        Assert.True(frames > 0 && copied == frames, $"{copied} of the log's {frames} frames are in the database");
        Assert.Equal(1999, (long?)(await Store.ReadAsync(Box, "p49", "d1999"))!.Body["n"]);
    }

    [Fact]
    public async Task Expired_documents_are_purged_from_the_file()
    {
        var sqlite = (SqliteDocumentStore)Store;
        await Store.UpsertAsync(Box, "p1", "a", new JsonObject { ["v"] = 1 }, new DocumentOptions(TimeSpan.FromSeconds(1)));
        await Store.UpsertAsync(Box, "p1", "b", new JsonObject { ["v"] = 1 });
        Assert.Equal(0, await sqlite.PurgeExpiredAsync());
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.Equal(1, await sqlite.PurgeExpiredAsync());
        Assert.NotNull(await Store.ReadAsync(Box, "p1", "b"));
    }
}

/// <summary>The storage registration as the host uses it.</summary>
public sealed class StorageHostingTests
{
    private static WebApplication BuildHost(IReadOnlyDictionary<string, string?> settings) =>
        BotHost.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            foreach (var (key, value) in settings) builder.Configuration[key] = value;
        });

    [Fact]
    public async Task Readyz_answers_and_data_survives_a_host_restart()
    {
        await using var testStore = await TestStore.CreateAsync(StoreKind.Sqlite);
        var settings = testStore.Configuration;

        await using (var first = BuildHost(settings))
        {
            await first.StartAsync();
            using var http = new HttpClient { BaseAddress = new Uri(first.Urls.First()) };
            var ready = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            await first.Services.GetRequiredService<IDocumentStore>().CreateAsync("users", "u1", "u1", new JsonObject { ["name"] = "Ada" });
            await first.StopAsync();
        }

        await using var second = BuildHost(settings);
        await second.StartAsync();
        var read = await second.Services.GetRequiredService<IDocumentStore>().ReadAsync("users", "u1", "u1");
        Assert.Equal("Ada", (string?)read!.Body["name"]);
        await second.StopAsync();
    }

    [Fact]
    public async Task Readyz_is_503_when_storage_stops_answering()
    {
        await using var testStore = await TestStore.CreateAsync(StoreKind.Sqlite);
        var store = new OutageStore(testStore.Store);
        await using var app = BotHost.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            foreach (var (key, value) in testStore.Configuration) builder.Configuration[key] = value;
            builder.Services.AddSingleton<IDocumentStore>(store);
        });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        store.Down = true;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/readyz")).StatusCode);
        store.Down = false;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_request_during_a_storage_outage_gets_503_with_problem_details_and_works_again_after()
    {
        await using var testStore = await TestStore.CreateAsync(StoreKind.Sqlite);
        var store = new OutageStore(testStore.Store);
        await using var app = BotHost.Build(["--environment", "Development"], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            foreach (var (key, value) in testStore.Configuration) builder.Configuration[key] = value;
            builder.Services.AddSingleton<IDocumentStore>(store);
        });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var generated = await http.PostAsync("/v3/directline/tokens/generate", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        var token = (string)JsonNode.Parse(await generated.Content.ReadAsStringAsync())!["token"]!;
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        store.Down = true;
        var during = await http.PostAsync("/v3/directline/conversations", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Equal("application/problem+json", during.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(during.Headers.RetryAfter);
        var problem = JsonNode.Parse(await during.Content.ReadAsStringAsync())!;
        Assert.Equal(503, (int?)problem["status"]);
        Assert.DoesNotContain("storage is down", problem.ToJsonString());

        store.Down = false;
        Assert.True((await http.PostAsync("/v3/directline/conversations", null)).IsSuccessStatusCode);
        await app.StopAsync();
    }

    [Theory]
    [InlineData("Storage:Provider", "Mongo", "Storage:Provider is 'Mongo'")]
    [InlineData("Storage:Sqlite:Path", "", "Storage:Sqlite:Path is empty")]
    public async Task Invalid_settings_stop_start_up_with_a_message_naming_the_key(string key, string value, string message)
    {
        await using var app = BuildHost(new Dictionary<string, string?> { [key] = value });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_relative_sqlite_path_is_resolved_against_the_current_directory()
    {
        var relative = Path.Combine("partnerbot-tests-rel", Guid.NewGuid().ToString("N"), "x.db");
        using var store = new SqliteDocumentStore(relative);
        try
        {
            Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), relative), store.FilePath);
            Assert.True(File.Exists(store.FilePath));
        }
        finally
        {
            store.Dispose();
            Directory.Delete(Path.Combine(Directory.GetCurrentDirectory(), "partnerbot-tests-rel"), recursive: true);
        }
    }

    /// <summary>A working store that can be switched into an outage: every call then fails as a lost backend would.</summary>
    private sealed class OutageStore(IDocumentStore inner) : IDocumentStore
    {
        public volatile bool Down;

        private IDocumentStore Inner => Down ? throw new StorageException(StorageErrorKind.Unavailable, "storage is down") : inner;
        public Task<StoredDocument?> ReadAsync(string c, string p, string i, CancellationToken ct = default) => Inner.ReadAsync(c, p, i, ct);
        public Task<StoredDocument> CreateAsync(string c, string p, string i, JsonObject b, DocumentOptions? o = null, CancellationToken ct = default) => Inner.CreateAsync(c, p, i, b, o, ct);
        public Task<StoredDocument> UpsertAsync(string c, string p, string i, JsonObject b, DocumentOptions? o = null, CancellationToken ct = default) => Inner.UpsertAsync(c, p, i, b, o, ct);
        public Task<StoredDocument> ReplaceAsync(string c, string p, string i, JsonObject b, string m, DocumentOptions? o = null, CancellationToken ct = default) => Inner.ReplaceAsync(c, p, i, b, m, o, ct);
        public Task DeleteAsync(string c, string p, string i, string? m = null, CancellationToken ct = default) => Inner.DeleteAsync(c, p, i, m, ct);
        public Task<StoredDocument> PatchAsync(string c, string p, string i, IReadOnlyList<PatchOperation> ops, IReadOnlyList<FieldFilter>? cond = null, string? m = null, CancellationToken ct = default) => Inner.PatchAsync(c, p, i, ops, cond, m, ct);
        public Task<DocumentPage> QueryAsync(string c, string? p, DocumentQuery q, CancellationToken ct = default) => Inner.QueryAsync(c, p, q, ct);
        public Task<bool> PingAsync(CancellationToken ct = default) => Inner.PingAsync(ct);
    }
}
