using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Storage.Sqlite;

namespace PartnerBot.Tests.Storage;

public sealed class SqliteStatementCacheTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pb-stmt-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private SqliteStatementConnection OpenConnection()
    {
        var connection = new SqliteStatementConnection($"Data Source={Path.Combine(_directory, "c.db")};Pooling=False");
        connection.Open();
        return connection;
    }

    [Fact]
    public void A_statement_run_again_is_the_same_command_with_its_old_parameters_gone()
    {
        using var connection = OpenConnection();
        SqliteCommand first;
        using (var lease = connection.Statement("SELECT @a + 1"))
        {
            first = lease.Command;
            first.Parameters.AddWithValue("@a", 41);
            Assert.Equal(42L, first.ExecuteScalar());
        }
        using (var again = connection.Statement("SELECT @a + 1"))
        {
            Assert.Same(first, again.Command);
            Assert.Empty(again.Command.Parameters);
            // A parameter left over from the last use must not be bound silently.
            Assert.Throws<InvalidOperationException>(() => again.Command.ExecuteScalar());
            again.Command.Parameters.AddWithValue("@a", 1);
            Assert.Equal(2L, again.Command.ExecuteScalar());
        }
        Assert.Equal(1, connection.Kept);
    }

    [Fact]
    public void Past_its_capacity_a_connection_hands_out_commands_it_disposes_after_use()
    {
        using var connection = OpenConnection();
        for (var i = 0; i < SqliteStatementConnection.Capacity; i++)
        {
            using var lease = connection.Statement($"SELECT {i}");
            Assert.Equal((long)i, lease.Command.ExecuteScalar());
        }
        SqliteCommand extra;
        using (var lease = connection.Statement("SELECT 'one more'"))
        {
            extra = lease.Command;
            Assert.Equal("one more", extra.ExecuteScalar());
        }
        Assert.Equal(SqliteStatementConnection.Capacity, connection.Kept);
        using var next = connection.Statement("SELECT 'one more'");
        Assert.NotSame(extra, next.Command);
    }

    [Fact]
    public async Task Kept_statements_answer_with_each_call_s_own_values()
    {
        using var store = new SqliteDocumentStore(Path.Combine(_directory, "store.db"));
        await store.CreateAsync("box", "wallets", "w1", new JsonObject { ["balance"] = 3 });

        // One patch statement, three conditions: each run must check its own bound value, not the last one's.
        await store.PatchAsync("box", "wallets", "w1", [PatchOperation.Increment("/balance", -1)], [FieldFilter.Ge("/balance", 1)]);
        var refused = await Assert.ThrowsAsync<StorageException>(() =>
            store.PatchAsync("box", "wallets", "w1", [PatchOperation.Increment("/balance", -1)], [FieldFilter.Ge("/balance", 100)]));
        Assert.Equal(StorageErrorKind.PreconditionFailed, refused.Kind);
        await store.PatchAsync("box", "wallets", "w1", [PatchOperation.Increment("/balance", -1)], [FieldFilter.Ge("/balance", 2)]);
        Assert.Equal(1L, (long?)(await store.ReadAsync("box", "wallets", "w1"))!.Body["balance"]);

        for (var i = 0; i < 10; i++) await store.UpsertAsync("box", "p", "d" + i, new JsonObject { ["n"] = i });
        // More query shapes than a connection keeps: every page is still right.
        for (var size = 1; size <= SqliteStatementConnection.Capacity + 8; size++)
        {
            var page = await store.QueryAsync("box", "p", new DocumentQuery { Filters = [FieldFilter.Ge("/n", size % 10)], OrderBy = "/n", PageSize = size });
            var expected = Enumerable.Range(size % 10, 10 - size % 10).Take(size).ToList();
            Assert.Equal(expected, page.Items.Select(d => (int)(long)d.Body["n"]!).ToList());
        }
        Assert.Null(await store.ReadAsync("box", "p", "missing"));
        Assert.Equal(9L, (long?)(await store.ReadAsync("box", "p", "d9"))!.Body["n"]);

        var stale = await store.ReadAsync("box", "p", "d1");
        await store.UpsertAsync("box", "p", "d1", new JsonObject { ["n"] = 100 });
        var changed = await Assert.ThrowsAsync<StorageException>(() => store.ReplaceAsync("box", "p", "d1", new JsonObject { ["n"] = 5 }, stale!.ETag));
        Assert.Equal(StorageErrorKind.PreconditionFailed, changed.Kind);
        var gone = await Assert.ThrowsAsync<StorageException>(() => store.ReplaceAsync("box", "p", "nope", new JsonObject(), stale!.ETag));
        Assert.Equal(StorageErrorKind.NotFound, gone.Kind);
    }
}
