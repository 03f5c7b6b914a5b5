using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Api.Storage;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Deployments.State;

/// <summary>The Terraform state store's behaviour, on every store adapter (a subclass per <see cref="StoreKind"/>).</summary>
public abstract class TerraformStateStoreContractTests(StoreKind kind) : IAsyncLifetime
{
    private readonly IDataProtectionProvider _protection = new EphemeralDataProtectionProvider();
    private TestStore _testStore = null!;
    private TerraformStateStore _states = null!;

    public async Task InitializeAsync()
    {
        _testStore = await TestStore.CreateAsync(kind);
        _states = NewStateStore(_testStore.Store);
    }

    public async Task DisposeAsync() => await _testStore.DisposeAsync();

    private TerraformStateStore NewStateStore(IDocumentStore store) =>
        new(store, _protection, TimeProvider.System, NullLogger<TerraformStateStore>.Instance);

    /// <summary>A Terraform state file as Terraform writes it, with <paramref name="resources"/> terraform_data resources.</summary>
    public static byte[] StateJson(long serial, string lineage, int resources, string marker, int padding = 0)
    {
        var list = new JsonArray();
        for (var i = 0; i < resources; i++)
            list.Add(new JsonObject
            {
                ["mode"] = "managed", ["type"] = "terraform_data", ["name"] = "item" + i,
                ["provider"] = "provider[\"terraform.io/builtin/terraform\"]",
                ["instances"] = new JsonArray(new JsonObject
                {
                    ["schema_version"] = 0,
                    ["attributes"] = new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["input"] = marker, ["output"] = marker },
                }),
            });
        var state = new JsonObject
        {
            ["version"] = 4, ["terraform_version"] = "1.11.4", ["serial"] = serial, ["lineage"] = lineage,
            ["outputs"] = new JsonObject(), ["resources"] = list, ["check_results"] = null,
        };
        if (padding > 0) state["padding"] = new string('p', padding);
        return Encoding.UTF8.GetBytes(state.ToJsonString());
    }

    private async Task<TerraformStateVersion> WriteAsync(string deployment, byte[] json, string? lockId = null)
    {
        var (summary, problem) = TerraformStateSummary.Read(json);
        Assert.True(summary is not null, problem);
        var result = await _states.WriteAsync(deployment, json, summary, lockId);
        Assert.Equal(StateChangeStatus.Done, result.Status);
        return result.Version!;
    }

    private static TerraformLockInfo Lock(string id, string who = "runner@host") =>
        new(id, "OperationTypeApply", "", who, "1.11.4", DateTimeOffset.UtcNow.ToString("O"), "");

    private async Task<List<StoredDocument>> DocumentsAsync(string deployment)
    {
        var all = new List<StoredDocument>();
        string? continuation = null;
        do
        {
            var page = await _testStore.Store.QueryAsync(TerraformStateStore.Container, deployment,
                new DocumentQuery { PageSize = 100, ContinuationToken = continuation });
            all.AddRange(page.Items);
            continuation = page.ContinuationToken;
        } while (continuation is not null);
        return all;
    }

    [StoreFact]
    public async Task A_written_state_reads_back_with_its_serial_lineage_and_resource_count()
    {
        Assert.Null(await _states.ReadAsync("dep-a"));
        Assert.Equal(0, (await _states.GetHeadAsync("dep-a")).Version);

        var json = StateJson(7, "lineage-1", 3, "hello");
        var written = await WriteAsync("dep-a", json);

        var read = await _states.ReadAsync("dep-a");
        Assert.NotNull(read);
        Assert.Equal(json, read.Json);
        Assert.Equal((1, 7L, "lineage-1", 3, 3), (read.Version.Version, read.Version.Serial, read.Version.Lineage,
            read.Version.Resources, read.Version.Instances));
        var head = await _states.GetHeadAsync("dep-a");
        Assert.Equal(written, head.Current);
        Assert.Equal(1, head.Version);
    }

    [StoreFact]
    public async Task A_state_larger_than_one_document_is_split_into_chunks_and_read_back_whole()
    {
        var json = StateJson(1, "big", 2, "large", padding: 3 * 1024 * 1024);

        var written = await WriteAsync("dep-big", json);

        Assert.True(written.Chunks >= 3, $"{written.Chunks} chunks");
        Assert.Equal(json, (await _states.ReadAsync("dep-big"))!.Json);
    }

    [StoreFact]
    public async Task The_stored_documents_hold_the_state_only_encrypted()
    {
        var marker = "marker-" + Guid.NewGuid().ToString("N");
        await WriteAsync("dep-secret", StateJson(1, "l", 2, marker));

        var documents = await DocumentsAsync("dep-secret");
        Assert.Contains(documents, d => (string?)d.Body["type"] == "stateChunk");
        Assert.All(documents, d => Assert.DoesNotContain(marker, d.Body.ToJsonString(), StringComparison.Ordinal));
        Assert.Contains(marker, Encoding.UTF8.GetString((await _states.ReadAsync("dep-secret"))!.Json), StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task Only_the_last_ten_versions_are_kept_and_the_chunks_of_older_ones_are_removed()
    {
        for (var serial = 1; serial <= 13; serial++) await WriteAsync("dep-v", StateJson(serial, "l", serial, "v" + serial));

        var head = await _states.GetHeadAsync("dep-v");
        Assert.Equal(13, head.Version);
        Assert.Equal(Enumerable.Range(4, 10).Reverse(), head.Versions.Select(v => v.Version));
        Assert.Null(await _states.ReadVersionAsync("dep-v", 3));
        Assert.Equal(4, (await _states.ReadVersionAsync("dep-v", 4))!.Version.Serial);
        Assert.Equal(13, (await _states.ReadAsync("dep-v"))!.Version.Resources);

        var documents = await DocumentsAsync("dep-v");
        Assert.Equal(10, documents.Count(d => (string?)d.Body["type"] == "stateChunk"));
        Assert.Equal(10, documents.Count(d => (string?)d.Body["type"] == "stateWrite"));
    }

    [StoreFact]
    public async Task Writers_at_the_same_time_each_get_their_own_version_and_none_is_lost()
    {
        var writes = Enumerable.Range(1, 6).Select(i => Task.Run(() => WriteAsync("dep-race", StateJson(i, "l", i, "r" + i))));
        var versions = await Task.WhenAll(writes);

        Assert.Equal(Enumerable.Range(1, 6), versions.Select(v => v.Version).Order());
        var head = await _states.GetHeadAsync("dep-race");
        Assert.Equal(6, head.Version);
        Assert.Equal(6, head.Versions.Count);
        foreach (var version in versions) Assert.NotNull(await _states.ReadVersionAsync("dep-race", version.Version));
    }

    [StoreFact]
    public async Task Of_lockers_at_the_same_time_exactly_one_wins_and_the_others_see_it()
    {
        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(() => _states.LockAsync("dep-l", Lock("lock-" + i), null)));
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r.Status == LockStatus.Acquired);
        Assert.All(results.Where(r => r.Status == LockStatus.HeldByOther), r => Assert.Equal(winner.Lock.Info.Id, r.Lock.Info.Id));
        Assert.Equal(winner.Lock.Info.Id, (await _states.GetLockAsync("dep-l"))!.Info.Id);
        // The holder repeating its own LOCK is still the holder.
        Assert.Equal(LockStatus.Acquired, (await _states.LockAsync("dep-l", Lock(winner.Lock.Info.Id), null)).Status);
    }

    [StoreFact]
    public async Task Writes_that_do_not_name_the_held_lock_are_refused_and_the_state_stays()
    {
        var first = StateJson(1, "l", 1, "first");
        await WriteAsync("dep-w", first);
        var other = StateJson(2, "l", 2, "second");
        var (summary, _) = TerraformStateSummary.Read(other);

        Assert.Equal(StateChangeStatus.LockNotHeld, (await _states.WriteAsync("dep-w", other, summary!, "no-such-lock")).Status);
        await _states.LockAsync("dep-w", Lock("held"), new TerraformLockHolder("worker-1", 3, 0));
        var withoutId = await _states.WriteAsync("dep-w", other, summary!, null);
        Assert.Equal(StateChangeStatus.Locked, withoutId.Status);
        Assert.Equal("held", withoutId.Holder!.Info.Id);
        Assert.Equal(("worker-1", (int?)3), (withoutId.Holder.Holder!.LeaseOwner, withoutId.Holder.Holder.Build));
        Assert.Equal(StateChangeStatus.LockMismatch, (await _states.WriteAsync("dep-w", other, summary!, "other")).Status);
        Assert.Equal(StateChangeStatus.Locked, (await _states.DeleteAsync("dep-w", null)).Status);

        Assert.Equal(first, (await _states.ReadAsync("dep-w"))!.Json);
        Assert.Equal(1, (await _states.GetHeadAsync("dep-w")).Version);
        await WriteAsync("dep-w", other, "held");
        Assert.Equal(other, (await _states.ReadAsync("dep-w"))!.Json);
    }

    [StoreFact]
    public async Task Unlock_releases_only_the_named_lock()
    {
        await _states.LockAsync("dep-u", Lock("mine"), null);

        var wrong = await _states.UnlockAsync("dep-u", "yours");
        Assert.Equal(UnlockStatus.HeldByOther, wrong.Status);
        Assert.Equal("mine", wrong.Holder!.Info.Id);
        Assert.NotNull(await _states.GetLockAsync("dep-u"));

        Assert.Equal(UnlockStatus.Released, (await _states.UnlockAsync("dep-u", "mine")).Status);
        Assert.Null(await _states.GetLockAsync("dep-u"));
        Assert.Equal(UnlockStatus.NotLocked, (await _states.UnlockAsync("dep-u", "mine")).Status);
    }

    [StoreFact]
    public async Task Delete_leaves_no_current_state_but_keeps_the_versions()
    {
        await WriteAsync("dep-d", StateJson(1, "l", 1, "a"));
        await WriteAsync("dep-d", StateJson(2, "l", 2, "b"));

        Assert.Equal(StateChangeStatus.Done, (await _states.DeleteAsync("dep-d", null)).Status);

        Assert.Null(await _states.ReadAsync("dep-d"));
        var head = await _states.GetHeadAsync("dep-d");
        Assert.Equal(3, head.Version);
        Assert.Null(head.Current);
        Assert.Equal(2, (await _states.ReadVersionAsync("dep-d", 2))!.Version.Resources);
    }

    [StoreFact]
    public async Task Each_state_is_encrypted_for_its_own_deployment()
    {
        await WriteAsync("dep-x", StateJson(1, "l", 1, "x"));
        foreach (var chunk in (await DocumentsAsync("dep-x")).Where(d => d.Id != "head"))
            await _testStore.Store.UpsertAsync(TerraformStateStore.Container, "dep-y", chunk.Id, chunk.Body);
        var head = (await _testStore.Store.ReadAsync(TerraformStateStore.Container, "dep-x", "head"))!.Body;
        head["deploymentId"] = "dep-y";
        await _testStore.Store.UpsertAsync(TerraformStateStore.Container, "dep-y", "head", head);

        await Assert.ThrowsAnyAsync<System.Security.Cryptography.CryptographicException>(() => _states.ReadAsync("dep-y"));
    }

    [StoreFact]
    public async Task Hosts_sharing_the_store_derive_the_same_credentials_and_each_deployment_its_own()
    {
        var first = new TerraformStateCredentials(_testStore.Reopen(), _protection);
        var second = new TerraformStateCredentials(_testStore.Reopen(), _protection);

        var passwords = await Task.WhenAll(Task.Run(() => first.PasswordAsync("dep-1")), Task.Run(() => second.PasswordAsync("dep-1")));

        Assert.Equal(passwords[0], passwords[1]);
        Assert.Equal(64, passwords[0].Length);
        Assert.NotEqual(passwords[0], await first.PasswordAsync("dep-2"));
        Assert.Equal(CredentialCheck.Valid, await second.CheckAsync("dep-1", "deployment", passwords[0]));
        Assert.Equal(CredentialCheck.Valid, await second.CheckAsync("dep-1", "dep-1", passwords[0]));
        Assert.Equal(CredentialCheck.Invalid, await second.CheckAsync("dep-2", "deployment", passwords[0]));
        Assert.Equal(CredentialCheck.OtherDeployment, await second.CheckAsync("dep-2", "dep-1", passwords[0]));
        var stored = await _testStore.Store.ReadAsync(TerraformStateCredentials.Container, "http-backend", "master");
        Assert.DoesNotContain(passwords[0], stored!.Body.ToJsonString(), StringComparison.Ordinal);
    }
}

public sealed class SqliteTerraformStateStoreTests() : TerraformStateStoreContractTests(StoreKind.Sqlite);

[RequiresNode]
public sealed class CosmosTerraformStateStoreTests() : TerraformStateStoreContractTests(StoreKind.Cosmos);
