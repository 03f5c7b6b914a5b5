using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using PartnerBot.Api.Storage;

namespace PartnerBot.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IDocumentStore"/> adapter must have. Each adapter runs it through a subclass
/// that names its <see cref="StoreKind"/>; every test gets a fresh, empty store.
/// </summary>
public abstract class DocumentStoreContractTests(StoreKind kind) : IAsyncLifetime
{
    protected const string Box = "things";
    private TestStore? _testStore;

    protected TestStore TestStore => _testStore ?? throw new InvalidOperationException("Not initialized.");
    protected IDocumentStore Store => TestStore.Store;

    public async Task InitializeAsync() => _testStore = await TestStore.CreateAsync(kind);

    public async Task DisposeAsync()
    {
        if (_testStore is not null) await _testStore.DisposeAsync();
    }

    private static JsonObject Body(params (string Name, JsonNode? Value)[] properties)
    {
        var body = new JsonObject();
        foreach (var (name, value) in properties) body[name] = value;
        return body;
    }

    private static async Task<StorageException> ThrowsStorage(StorageErrorKind expected, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<StorageException>(action);
        Assert.Equal(expected, e.Kind);
        return e;
    }

    // ---------- point operations and ETags ----------

    [StoreFact]
    public async Task Create_then_read_returns_the_body_with_its_id_and_the_same_etag()
    {
        var created = await Store.CreateAsync(Box, "p1", "a", Body(("name", "Ada"), ("n", 1), ("tags", new JsonArray("x", "y"))));
        var read = await Store.ReadAsync(Box, "p1", "a");

        Assert.NotNull(read);
        Assert.Equal(created.ETag, read.ETag);
        Assert.False(string.IsNullOrEmpty(read.ETag));
        Assert.Equal("a", (string?)read.Body["id"]);
        Assert.Equal("Ada", (string?)read.Body["name"]);
        Assert.Equal(1, (int?)read.Body["n"]);
        Assert.Equal(2, read.Body["tags"]!.AsArray().Count);
        Assert.Equal(new[] { "id", "name", "n", "tags" }.Order(), read.Body.Select(p => p.Key).Order());
        Assert.Equal(("p1", "a", Box), (read.PartitionKey, read.Id, read.Container));
    }

    [StoreFact]
    public async Task A_written_document_comes_back_as_written_and_is_the_callers_own()
    {
        var body = new JsonObject { ["name"] = "Grüße <b>", ["n"] = 7, ["items"] = new JsonArray(1, 2) };

        var written = await Store.UpsertAsync(Box, "p1", "w", body);

        Assert.True(JsonNode.DeepEquals(new JsonObject { ["id"] = "w", ["name"] = "Grüße <b>", ["n"] = 7, ["items"] = new JsonArray(1, 2) },
            Without(written.Body, "_")), written.Body.ToJsonString());
        var seen = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => written.Body)));
        Assert.All(seen, b => Assert.Same(written.Body, b));
        written.Body["n"] = 8;
        body["n"] = 9;
        var read = await Store.ReadAsync(Box, "p1", "w");
        Assert.Equal(7, (int?)read!.Body["n"]);
        Assert.Equal(written.ETag, read.ETag);
    }

    /// <summary>The body without the store's own members (those starting with <paramref name="prefix"/>).</summary>
    private static JsonObject Without(JsonObject body, string prefix)
    {
        var copy = new JsonObject();
        foreach (var (name, value) in body)
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) copy[name] = value?.DeepClone();
        return copy;
    }

    [StoreFact]
    public async Task Create_of_an_existing_id_is_a_conflict_and_leaves_the_document()
    {
        await Store.CreateAsync(Box, "p1", "a", Body(("v", 1)));
        await ThrowsStorage(StorageErrorKind.Conflict, () => Store.CreateAsync(Box, "p1", "a", Body(("v", 2))));
        Assert.Equal(1, (int?)(await Store.ReadAsync(Box, "p1", "a"))!.Body["v"]);
    }

    [StoreFact]
    public async Task Read_of_a_missing_document_is_null()
    {
        Assert.Null(await Store.ReadAsync(Box, "p1", "nope"));
        Assert.Null(await Store.ReadAsync("emptybox", "p1", "nope"));
    }

    [StoreFact]
    public async Task A_body_is_stored_as_written_and_the_caller_changing_it_afterwards_changes_nothing()
    {
        var body = JsonNode.Parse("""
            {"id":"a","name":"Zoë ✓ <b>&amp;","nested":{"list":[1,2.5,"three",null,true,{"deep":[]}]},"none":null,"empty":{}}
            """)!.AsObject();
        var written = await Store.CreateAsync(Box, "p1", "a", body, new DocumentOptions(TimeSpan.FromHours(1)));
        body["name"] = "changed";
        ((JsonObject)body["nested"]!)["list"]!.AsArray().Add(4);

        var read = (await Store.ReadAsync(Box, "p1", "a"))!;
        var expected = """
            {"id":"a","name":"Zoë ✓ <b>&amp;","nested":{"list":[1,2.5,"three",null,true,{"deep":[]}]},"none":null,"empty":{}}
            """;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), read.Body), read.Body.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), written.Body), written.Body.ToJsonString());
        Assert.Equal(["id", "name", "nested", "none", "empty"], read.Body.Select(p => p.Key));
        await ThrowsStorage(StorageErrorKind.Conflict, () => Store.CreateAsync(Box, "p1", "a", Body(("v", 1))));
    }

    [StoreFact]
    public async Task The_same_id_in_two_partitions_is_two_documents()
    {
        await Store.CreateAsync(Box, "p1", "a", Body(("v", 1)));
        await Store.CreateAsync(Box, "p2", "a", Body(("v", 2)));
        Assert.Equal(1, (int?)(await Store.ReadAsync(Box, "p1", "a"))!.Body["v"]);
        Assert.Equal(2, (int?)(await Store.ReadAsync(Box, "p2", "a"))!.Body["v"]);
        Assert.Null(await Store.ReadAsync("other", "p1", "a"));
    }

    [StoreFact]
    public async Task Upsert_creates_then_overwrites_with_a_new_etag()
    {
        var first = await Store.UpsertAsync(Box, "p1", "a", Body(("v", 1), ("old", true)));
        var second = await Store.UpsertAsync(Box, "p1", "a", Body(("v", 2)));
        Assert.NotEqual(first.ETag, second.ETag);
        var read = await Store.ReadAsync(Box, "p1", "a");
        Assert.Equal(2, (int?)read!.Body["v"]);
        Assert.False(read.Body.ContainsKey("old"));
        Assert.Equal(second.ETag, read.ETag);
    }

    [StoreFact]
    public async Task Replace_succeeds_with_the_current_etag_and_fails_with_a_stale_one()
    {
        var created = await Store.CreateAsync(Box, "p1", "a", Body(("v", 1)));
        var replaced = await Store.ReplaceAsync(Box, "p1", "a", Body(("v", 2)), created.ETag);
        Assert.NotEqual(created.ETag, replaced.ETag);

        await ThrowsStorage(StorageErrorKind.PreconditionFailed, () => Store.ReplaceAsync(Box, "p1", "a", Body(("v", 3)), created.ETag));
        var read = await Store.ReadAsync(Box, "p1", "a");
        Assert.Equal(2, (int?)read!.Body["v"]);
        Assert.Equal(replaced.ETag, read.ETag);
    }

    [StoreFact]
    public async Task Replace_of_a_missing_document_is_not_found()
    {
        var other = await Store.CreateAsync(Box, "p1", "b", Body(("v", 1)));
        await ThrowsStorage(StorageErrorKind.NotFound, () => Store.ReplaceAsync(Box, "p1", "a", Body(("v", 1)), other.ETag));
    }

    [StoreFact]
    public async Task Delete_honours_the_etag_and_reports_missing_documents()
    {
        var created = await Store.CreateAsync(Box, "p1", "a", Body(("v", 1)));
        var replaced = await Store.ReplaceAsync(Box, "p1", "a", Body(("v", 2)), created.ETag);

        await ThrowsStorage(StorageErrorKind.PreconditionFailed, () => Store.DeleteAsync(Box, "p1", "a", created.ETag));
        Assert.NotNull(await Store.ReadAsync(Box, "p1", "a"));

        await Store.DeleteAsync(Box, "p1", "a", replaced.ETag);
        Assert.Null(await Store.ReadAsync(Box, "p1", "a"));
        await ThrowsStorage(StorageErrorKind.NotFound, () => Store.DeleteAsync(Box, "p1", "a"));

        await Store.CreateAsync(Box, "p1", "b", Body(("v", 1)));
        await Store.DeleteAsync(Box, "p1", "b");
        Assert.Null(await Store.ReadAsync(Box, "p1", "b"));
        await Store.CreateAsync(Box, "p1", "b", Body(("v", 2)));
        Assert.Equal(2, (int?)(await Store.ReadAsync(Box, "p1", "b"))!.Body["v"]);
    }

    [StoreFact]
    public async Task Bodies_may_repeat_their_own_id_but_not_use_other_reserved_properties()
    {
        await Store.CreateAsync(Box, "p1", "a", Body(("id", "a"), ("v", 1)));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateAsync(Box, "p1", "b", Body(("id", "other"))));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateAsync(Box, "p1", "c", Body(("pk", "x"))));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateAsync(Box, "p1", "d", Body(("ttl", 5))));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateAsync(Box, "p1", "e", Body(("_etag", "x"))));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateAsync(Box, "p1", "a/b", Body(("v", 1))));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateAsync(Box, "p1", "", Body(("v", 1))));
        Assert.Null(await Store.ReadAsync(Box, "p1", "b"));
    }

    [StoreFact]
    public async Task A_body_over_two_megabytes_is_refused_as_too_large()
    {
        await ThrowsStorage(StorageErrorKind.TooLarge, () => Store.UpsertAsync(Box, "p1", "big", Body(("blob", new string('x', 2 * 1024 * 1024 + 10)))));
        Assert.Null(await Store.ReadAsync(Box, "p1", "big"));
    }

    [StoreFact]
    public async Task Ping_answers_true()
    {
        Assert.True(await Store.PingAsync());
    }

    // ---------- patch ----------

    [StoreFact]
    public async Task Patch_sets_increments_and_removes_in_one_step()
    {
        var created = await Store.CreateAsync(Box, "p1", "a", Body(("balance", 10), ("status", "new"), ("nested", new JsonObject { ["x"] = 1 }), ("gone", true)));
        var patched = await Store.PatchAsync(Box, "p1", "a",
        [
            PatchOperation.Increment("/balance", -3),
            PatchOperation.Set("/status", "active"),
            PatchOperation.Set("/nested/y", "new"),
            PatchOperation.Increment("/counter", 1),
            PatchOperation.Remove("/gone"),
        ]);

        Assert.NotEqual(created.ETag, patched.ETag);
        var read = await Store.ReadAsync(Box, "p1", "a");
        Assert.Equal(patched.ETag, read!.ETag);
        Assert.Equal(7, (long?)read.Body["balance"]);
        Assert.Equal("active", (string?)read.Body["status"]);
        Assert.Equal("new", (string?)read.Body["nested"]!["y"]);
        Assert.Equal(1, (long?)read.Body["nested"]!["x"]);
        Assert.Equal(1, (long?)read.Body["counter"]);
        Assert.False(read.Body.ContainsKey("gone"));
        Assert.Equal(7, (long?)patched.Body["balance"]);
    }

    [StoreFact]
    public async Task Patch_with_a_failing_condition_changes_nothing()
    {
        var created = await Store.CreateAsync(Box, "p1", "a", Body(("balance", 4)));
        await ThrowsStorage(StorageErrorKind.PreconditionFailed, () => Store.PatchAsync(Box, "p1", "a",
            [PatchOperation.Increment("/balance", -5)], [FieldFilter.Ge("/balance", 5)]));
        var read = await Store.ReadAsync(Box, "p1", "a");
        Assert.Equal(4, (long?)read!.Body["balance"]);
        Assert.Equal(created.ETag, read.ETag);

        await Store.PatchAsync(Box, "p1", "a", [PatchOperation.Increment("/balance", -4)], [FieldFilter.Ge("/balance", 4), FieldFilter.NotExists("/frozen")]);
        Assert.Equal(0, (long?)(await Store.ReadAsync(Box, "p1", "a"))!.Body["balance"]);
    }

    [StoreFact]
    public async Task Patch_conditions_are_case_sensitive_nested_and_scoped_to_the_addressed_document()
    {
        await Store.CreateAsync(Box, "u1", "wallet", Body(("accountStatus", "Active"), ("balances", new JsonObject { ["topUp"] = 3 })));
        await Store.CreateAsync(Box, "u2", "wallet", Body(("accountStatus", "Active"), ("balances", new JsonObject { ["topUp"] = 50 })));

        await Store.PatchAsync(Box, "u1", "wallet", [PatchOperation.Increment("/balances/topUp", -2)],
            [FieldFilter.Eq("/accountStatus", "Active"), FieldFilter.Ge("/balances/topUp", 2)]);
        await ThrowsStorage(StorageErrorKind.PreconditionFailed, () => Store.PatchAsync(Box, "u1", "wallet",
            [PatchOperation.Increment("/balances/topUp", -1)], [FieldFilter.Eq("/accountStatus", "active")]));
        // u2's wallet (same id, other partition) satisfies this; u1's does not.
        await ThrowsStorage(StorageErrorKind.PreconditionFailed, () => Store.PatchAsync(Box, "u1", "wallet",
            [PatchOperation.Increment("/balances/topUp", -10)], [FieldFilter.Ge("/balances/topUp", 10)]));

        Assert.Equal(1, (long?)(await Store.ReadAsync(Box, "u1", "wallet"))!.Body["balances"]!["topUp"]);
        Assert.Equal(50, (long?)(await Store.ReadAsync(Box, "u2", "wallet"))!.Body["balances"]!["topUp"]);
    }

    [StoreFact]
    public async Task Queries_filter_and_order_on_nested_properties()
    {
        for (var i = 0; i < 6; i++)
            await Store.CreateAsync(Box, "nested", $"n{i}", Body(("meta", new JsonObject { ["rank"] = 10 - i, ["kind"] = i % 2 == 0 ? "even" : "odd" })));
        var page = await Store.QueryAsync(Box, "nested", new DocumentQuery
        {
            Filters = [FieldFilter.Eq("/meta/kind", "even")], OrderBy = "/meta/rank", PageSize = 10,
        });
        Assert.Equal(["n4", "n2", "n0"], page.Items.Select(d => d.Id));
    }

    [StoreFact]
    public async Task Patch_honours_if_match_and_reports_missing_documents()
    {
        var created = await Store.CreateAsync(Box, "p1", "a", Body(("v", 1)));
        var patched = await Store.PatchAsync(Box, "p1", "a", [PatchOperation.Set("/v", 2)], ifMatch: created.ETag);
        await ThrowsStorage(StorageErrorKind.PreconditionFailed, () => Store.PatchAsync(Box, "p1", "a", [PatchOperation.Set("/v", 3)], ifMatch: created.ETag));
        Assert.Equal(2, (int?)(await Store.ReadAsync(Box, "p1", "a"))!.Body["v"]);
        Assert.Equal(patched.ETag, (await Store.ReadAsync(Box, "p1", "a"))!.ETag);
        await ThrowsStorage(StorageErrorKind.NotFound, () => Store.PatchAsync(Box, "p1", "missing", [PatchOperation.Set("/v", 1)]));
    }

    [StoreFact]
    public async Task Patch_removing_a_missing_property_is_a_bad_request()
    {
        await Store.CreateAsync(Box, "p1", "a", Body(("v", 1)));
        await ThrowsStorage(StorageErrorKind.BadRequest, () => Store.PatchAsync(Box, "p1", "a", [PatchOperation.Remove("/nothing")]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PatchAsync(Box, "p1", "a", [PatchOperation.Set("/id", "b")]));
        Assert.Equal(1, (int?)(await Store.ReadAsync(Box, "p1", "a"))!.Body["v"]);
    }

    // ---------- queries ----------

    private async Task SeedPeople()
    {
        (string Id, string Name, int Age, bool Admin, string[] Tags, string? Team)[] people =
        [
            ("u1", "alice", 30, true, ["ops", "dev"], "blue"),
            ("u2", "bob", 25, false, ["dev"], "red"),
            ("u3", "carol", 35, false, [], null),
            ("u4", "dave", 25, true, ["sales"], "blue"),
            ("u5", "alfred", 41, false, ["ops"], "red"),
        ];
        foreach (var p in people)
        {
            var body = Body(("name", p.Name), ("age", p.Age), ("admin", p.Admin), ("tags", new JsonArray(p.Tags.Select(t => (JsonNode?)t).ToArray())));
            if (p.Team is not null) body["team"] = p.Team;
            if (p.Id == "u3") body["nickname"] = null;
            await Store.CreateAsync(Box, "people", p.Id, body);
        }
        await Store.CreateAsync(Box, "elsewhere", "u9", Body(("name", "zed"), ("age", 25), ("admin", true), ("tags", new JsonArray("dev")), ("team", "blue")));
    }

    private async Task<string[]> Ids(string? partitionKey, params FieldFilter[] filters)
    {
        var page = await Store.QueryAsync(Box, partitionKey, new DocumentQuery { Filters = filters, PageSize = 100 });
        Assert.Null(page.ContinuationToken);
        return page.Items.Select(d => d.Id).Order(StringComparer.Ordinal).ToArray();
    }

    [StoreFact]
    public async Task Each_filter_operator_selects_the_right_documents()
    {
        await SeedPeople();
        Assert.Equal(["u2", "u4"], await Ids("people", FieldFilter.Eq("/age", 25)));
        Assert.Equal(["u1", "u4"], await Ids("people", FieldFilter.Eq("/admin", true)));
        Assert.Equal(["u3"], await Ids("people", FieldFilter.Eq("/nickname", null)));
        Assert.Equal(["u1", "u3", "u5"], await Ids("people", FieldFilter.Ne("/age", 25)));
        Assert.Equal(["u1", "u2", "u4"], await Ids("people", FieldFilter.Lt("/age", 35)));
        Assert.Equal(["u1", "u2", "u3", "u4"], await Ids("people", FieldFilter.Le("/age", 35)));
        Assert.Equal(["u3", "u5"], await Ids("people", FieldFilter.Gt("/age", 30)));
        Assert.Equal(["u1", "u3", "u5"], await Ids("people", FieldFilter.Ge("/age", 30)));
        Assert.Equal(["u3", "u4"], await Ids("people", FieldFilter.Gt("/name", "bob")));
        Assert.Equal(["u1", "u3"], await Ids("people", FieldFilter.In("/name", "alice", "carol", "nobody")));
        Assert.Equal(["u1", "u5"], await Ids("people", FieldFilter.StartsWith("/name", "al")));
        Assert.Equal(["u1", "u2"], await Ids("people", FieldFilter.ArrayContains("/tags", "dev")));
        Assert.Equal(["u1", "u2", "u4", "u5"], await Ids("people", FieldFilter.Exists("/team")));
        Assert.Equal(["u3"], await Ids("people", FieldFilter.NotExists("/team")));
        Assert.Equal(["u1", "u2", "u3", "u4", "u5"], await Ids("people"));
        Assert.Empty(await Ids("people", FieldFilter.Eq("/age", "25")));
        Assert.Empty(await Ids("people", FieldFilter.Gt("/name", 3)));
        Assert.Equal(["u4"], await Ids("people", FieldFilter.Eq("/age", 25), FieldFilter.Eq("/team", "blue")));
        Assert.Equal(["u1", "u4", "u9"], await Ids(null, FieldFilter.Eq("/team", "blue")));
        Assert.Equal(["u1"], await Ids("people", FieldFilter.Eq("/id", "u1")));
    }

    [StoreFact]
    public async Task Queries_order_by_one_property_then_id_in_both_directions()
    {
        await SeedPeople();
        async Task<string[]> Ordered(string? orderBy, bool descending)
        {
            var page = await Store.QueryAsync(Box, "people", new DocumentQuery { OrderBy = orderBy, Descending = descending, PageSize = 10 });
            return page.Items.Select(d => d.Id).ToArray();
        }
        Assert.Equal(["u2", "u4", "u1", "u3", "u5"], await Ordered("/age", false));
        Assert.Equal(["u5", "u3", "u1", "u4", "u2"], await Ordered("/age", true));
        Assert.Equal(["u5", "u1", "u2", "u3", "u4"], await Ordered("/name", false));
        Assert.Equal(["u1", "u2", "u3", "u4", "u5"], await Ordered(null, false));
        Assert.Equal(["u5", "u4", "u3", "u2", "u1"], await Ordered(null, true));
    }

    [StoreFact]
    public async Task Paging_by_continuation_token_visits_every_document_exactly_once()
    {
        const int count = 137;
        var rnd = new Random(7);
        var expected = new List<(int Score, string Id)>();
        for (var i = 0; i < count; i++)
        {
            var id = $"d{i:D4}";
            var score = rnd.Next(0, 20); // many ties, so the id tiebreak matters
            expected.Add((score, id));
            await Store.UpsertAsync(Box, "pages", id, Body(("score", score), ("even", i % 2 == 0)));
        }
        await Store.UpsertAsync(Box, "other", "d0000", Body(("score", 1), ("even", true)));

        foreach (var descending in new[] { false, true })
        {
            var seen = new List<string>();
            string? token = null;
            var pages = 0;
            do
            {
                var page = await Store.QueryAsync(Box, "pages", new DocumentQuery { OrderBy = "/score", Descending = descending, PageSize = 10, ContinuationToken = token });
                Assert.True(page.Items.Count <= 10);
                seen.AddRange(page.Items.Select(d => d.Id));
                token = page.ContinuationToken;
                pages++;
            }
            while (token is not null && pages < 100);

            var order = descending
                ? expected.OrderByDescending(e => e.Score).ThenByDescending(e => e.Id, StringComparer.Ordinal)
                : expected.OrderBy(e => e.Score).ThenBy(e => e.Id, StringComparer.Ordinal);
            Assert.Equal(order.Select(e => e.Id), seen);
        }

        var filtered = new List<string>();
        string? next = null;
        do
        {
            var page = await Store.QueryAsync(Box, "pages", new DocumentQuery { Filters = [FieldFilter.Eq("/even", true)], PageSize = 9, ContinuationToken = next });
            filtered.AddRange(page.Items.Select(d => d.Id));
            next = page.ContinuationToken;
        }
        while (next is not null);
        Assert.Equal(expected.Where((_, i) => i % 2 == 0).Select(e => e.Id).Order(StringComparer.Ordinal), filtered);
    }

    [StoreFact]
    public async Task Cross_partition_queries_page_over_all_partitions_without_duplicates()
    {
        for (var p = 0; p < 4; p++)
            for (var i = 0; i < 8; i++)
                await Store.CreateAsync(Box, $"part{p}", $"item{i}", Body(("p", p), ("i", i)));

        var seen = new List<(string, string)>();
        string? token = null;
        do
        {
            var page = await Store.QueryAsync(Box, null, new DocumentQuery { OrderBy = "/i", PageSize = 5, ContinuationToken = token });
            seen.AddRange(page.Items.Select(d => (d.PartitionKey, d.Id)));
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal(32, seen.Count);
        Assert.Equal(32, seen.Distinct().Count());
        Assert.Equal(seen.Select(s => s.Item2), seen.Select(s => s.Item2).Order(StringComparer.Ordinal));
        Assert.Equal(8, (await Store.QueryAsync(Box, "part2", new DocumentQuery { PageSize = 100 })).Items.Count);
    }

    [StoreFact]
    public async Task A_malformed_continuation_token_is_an_argument_error()
    {
        await Store.CreateAsync(Box, "p1", "a", Body(("v", 1)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.QueryAsync(Box, "p1", new DocumentQuery { ContinuationToken = "not a token" }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.QueryAsync(Box, "p1", new DocumentQuery { PageSize = 0 }));
    }

    // ---------- TTL ----------

    [StoreFact]
    public async Task Expired_documents_are_invisible_and_their_ids_reusable()
    {
        // Cosmos DB counts TTL in whole seconds from a whole-second _ts: 2 s is visible for at least 1 s.
        await Store.CreateAsync(Box, "p1", "short", Body(("v", 1)), new DocumentOptions(TimeSpan.FromSeconds(2)));
        await Store.CreateAsync(Box, "p1", "cleared", Body(("v", 1)), new DocumentOptions(TimeSpan.FromSeconds(2)));
        await Store.UpsertAsync(Box, "p1", "cleared", Body(("v", 2)));
        await Store.CreateAsync(Box, "p1", "long", Body(("v", 1)), new DocumentOptions(TimeSpan.FromHours(1)));
        Assert.NotNull(await Store.ReadAsync(Box, "p1", "short"));

        await Task.Delay(TimeSpan.FromSeconds(3.2));

        Assert.Null(await Store.ReadAsync(Box, "p1", "short"));
        Assert.NotNull(await Store.ReadAsync(Box, "p1", "cleared"));
        Assert.NotNull(await Store.ReadAsync(Box, "p1", "long"));
        var page = await Store.QueryAsync(Box, "p1", new DocumentQuery());
        Assert.Equal(["cleared", "long"], page.Items.Select(d => d.Id).Order(StringComparer.Ordinal));

        await Store.CreateAsync(Box, "p1", "short", Body(("v", 3)));
        Assert.Equal(3, (int?)(await Store.ReadAsync(Box, "p1", "short"))!.Body["v"]);
    }

    // ---------- concurrency ----------

    [StoreFact]
    public async Task Of_fifty_parallel_replaces_with_the_same_etag_exactly_one_wins()
    {
        var created = await Store.CreateAsync(Box, "p1", "race", Body(("winner", -1)));
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            try
            {
                await Store.ReplaceAsync(Box, "p1", "race", Body(("winner", i)), created.ETag);
                return (int?)i;
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed)
            {
                return null;
            }
        })));

        var winners = outcomes.Where(o => o is not null).ToList();
        Assert.Single(winners);
        Assert.Equal(winners[0], (int?)(await Store.ReadAsync(Box, "p1", "race"))!.Body["winner"]);
    }

    [StoreFact]
    public async Task Parallel_conditional_decrements_never_overdraw_a_balance()
    {
        await Store.CreateAsync(Box, "wallets", "w1", Body(("balance", 10)));
        var failures = new ConcurrentBag<StorageErrorKind>();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            try
            {
                var after = await Store.PatchAsync(Box, "wallets", "w1", [PatchOperation.Increment("/balance", -1)], [FieldFilter.Ge("/balance", 1)]);
                Assert.True((long)after.Body["balance"]! >= 0);
                return true;
            }
            catch (StorageException e)
            {
                failures.Add(e.Kind);
                return false;
            }
        })));

        Assert.Equal(10, outcomes.Count(o => o));
        Assert.All(failures, k => Assert.Equal(StorageErrorKind.PreconditionFailed, k));
        Assert.Equal(0, (long?)(await Store.ReadAsync(Box, "wallets", "w1"))!.Body["balance"]);
    }

    // ---------- typed layer ----------

    public enum Plan { Free, Pro }

    public sealed record Account(string Id, string Owner, Plan Plan, int Credits, DateTimeOffset CreatedAt, IReadOnlyList<string> Tags);

    [StoreFact]
    public async Task Typed_helpers_round_trip_records_with_camel_case_and_enum_names()
    {
        var account = new Account("acc1", "ada", Plan.Pro, 5, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), ["x"]);
        var created = await Store.CreateAsync(Box, "ada", account.Id, account);
        var raw = await Store.ReadAsync(Box, "ada", "acc1");
        Assert.Equal("Pro", (string?)raw!.Body["plan"]);
        Assert.Equal("ada", (string?)raw.Body["owner"]);

        var read = await Store.ReadAsync<Account>(Box, "ada", "acc1");
        Assert.Equal(account.Id, read!.Value.Id);
        Assert.Equal(account.CreatedAt, read.Value.CreatedAt);
        Assert.Equal(account.Tags, read.Value.Tags);
        Assert.Equal(created.ETag, read.ETag);

        var replaced = await Store.ReplaceAsync(Box, "ada", "acc1", read.Value with { Credits = 6 }, read.ETag);
        await ThrowsStorage(StorageErrorKind.PreconditionFailed, () => Store.ReplaceAsync(Box, "ada", "acc1", read.Value with { Credits = 7 }, read.ETag));
        Assert.Equal(6, replaced.Value.Credits);

        var page = await Store.QueryAsync<Account>(Box, "ada", new DocumentQuery { Filters = [FieldFilter.Eq("/plan", "Pro")] });
        Assert.Equal(6, Assert.Single(page.Items).Value.Credits);
        Assert.Null(await Store.ReadAsync<Account>(Box, "ada", "missing"));
    }

    public sealed record Note(string Title, IReadOnlyList<string> Lines, IReadOnlyDictionary<string, int> Counts, Account? Owner);

    private static readonly Note SampleNote = new("Caf\u00e9 \"quoted\" </script>", ["one", "two\nlines"],
        new Dictionary<string, int> { ["a\"b"] = 1, ["\u00e9t\u00e9"] = 2 },
        new Account("acc1", "ada", Plan.Pro, 5, DateTimeOffset.UnixEpoch, ["x"]));

    [StoreFact]
    public async Task A_typed_write_stores_the_document_its_json_object_would()
    {
        var typeInfo = StorageJson.TypeInfo<Note>();
        await Store.CreateAsync(Box, "p1", "node", StorageJson.ToObject(SampleNote, typeInfo));
        var created = await Store.CreateTypedAsync(Box, "p1", "typed", SampleNote, typeInfo);

        var asNode = (await Store.ReadAsync(Box, "p1", "node"))!.Body;
        var typed = await Store.ReadAsync(Box, "p1", "typed");
        Assert.Equal(created.ETag, typed!.ETag);
        Assert.Equal("typed", (string?)typed.Body["id"]);
        asNode.Remove("id");
        typed.Body.Remove("id");
        Assert.True(JsonNode.DeepEquals(asNode, typed.Body), typed.Body.ToJsonString());
        var back = typed.Deserialize(typeInfo)!;
        Assert.Equal(SampleNote.Title, back.Title);
        Assert.Equal(SampleNote.Lines, back.Lines);
        Assert.Equal(SampleNote.Owner! with { Tags = [] }, back.Owner! with { Tags = [] });
        Assert.Equal(SampleNote.Owner!.Tags, back.Owner!.Tags);
        Assert.Equal(SampleNote.Counts.OrderBy(c => c.Key), back.Counts.OrderBy(c => c.Key));
    }

    [StoreFact]
    public async Task A_typed_write_keeps_the_etag_rules_of_create_and_replace()
    {
        var typeInfo = StorageJson.TypeInfo<Note>();
        var created = await Store.CreateTypedAsync(Box, "p1", "a", SampleNote, typeInfo);
        await ThrowsStorage(StorageErrorKind.Conflict, () => Store.CreateTypedAsync(Box, "p1", "a", SampleNote with { Title = "again" }, typeInfo));

        var replaced = await Store.ReplaceTypedAsync(Box, "p1", "a", SampleNote with { Title = "second" }, typeInfo, created.ETag);
        Assert.NotEqual(created.ETag, replaced.ETag);
        await ThrowsStorage(StorageErrorKind.PreconditionFailed,
            () => Store.ReplaceTypedAsync(Box, "p1", "a", SampleNote with { Title = "stale" }, typeInfo, created.ETag));
        await ThrowsStorage(StorageErrorKind.NotFound,
            () => Store.ReplaceTypedAsync(Box, "p1", "missing", SampleNote, typeInfo, created.ETag));

        var read = await Store.ReadAsync(Box, "p1", "a");
        Assert.Equal(replaced.ETag, read!.ETag);
        Assert.Equal("second", read.Deserialize(typeInfo)!.Title);
        Assert.Equal("second", replaced.Deserialize(typeInfo)!.Title);
    }

    [StoreFact]
    public async Task A_typed_body_may_repeat_its_own_id_but_not_use_other_reserved_properties_or_be_no_object()
    {
        var account = new Account("a", "ada", Plan.Free, 1, DateTimeOffset.UnixEpoch, []);
        await Store.CreateTypedAsync(Box, "p1", "a", account, StorageJson.TypeInfo<Account>());
        var stored = (await Store.ReadAsync(Box, "p1", "a"))!.Body;
        Assert.Equal(1, stored.Count(p => p.Key == "id"));
        Assert.Equal("a", (string?)stored["id"]);

        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateTypedAsync(Box, "p1", "b", account, StorageJson.TypeInfo<Account>()));
        var reserved = StorageJson.TypeInfo<Dictionary<string, int>>();
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateTypedAsync(Box, "p1", "c", new Dictionary<string, int> { ["pk"] = 1 }, reserved));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateTypedAsync(Box, "p1", "d", new Dictionary<string, int> { ["ttl"] = 5 }, reserved));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateTypedAsync(Box, "p1", "e", new Dictionary<string, int> { ["_etag"] = 1 }, reserved));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateTypedAsync(Box, "p1", "f", new[] { 1, 2 }, StorageJson.TypeInfo<int[]>()));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateTypedAsync(Box, "p1", "g", "text", StorageJson.TypeInfo<string>()));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.CreateTypedAsync(Box, "p1", "h", (Note)null!, StorageJson.TypeInfo<Note>()));
        foreach (var id in new[] { "b", "c", "d", "e", "f", "g", "h" }) Assert.Null(await Store.ReadAsync(Box, "p1", id));
    }

    [StoreFact]
    public async Task A_typed_body_over_two_megabytes_is_refused_as_too_large()
    {
        var big = SampleNote with { Title = new string('x', 2 * 1024 * 1024 + 10) };
        await ThrowsStorage(StorageErrorKind.TooLarge, () => Store.CreateTypedAsync(Box, "p1", "big", big, StorageJson.TypeInfo<Note>()));
        Assert.Null(await Store.ReadAsync(Box, "p1", "big"));
    }

    [StoreFact]
    public async Task Optimistic_update_retries_until_every_concurrent_change_is_applied()
    {
        await Store.CreateAsync(Box, "ada", "acc1", new Account("acc1", "ada", Plan.Free, 0, DateTimeOffset.UnixEpoch, []));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Store.UpdateAsync<Account>(Box, "ada", "acc1", a => a with { Credits = a.Credits + 1 }, maxAttempts: 100))));
        Assert.Equal(8, (await Store.ReadAsync<Account>(Box, "ada", "acc1"))!.Value.Credits);

        var unchanged = await Store.UpdateAsync<Account>(Box, "ada", "acc1", _ => null);
        Assert.Equal(8, unchanged.Value.Credits);
        await ThrowsStorage(StorageErrorKind.NotFound, () => Store.UpdateAsync<Account>(Box, "ada", "none", a => a));
    }
}
