using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Storage;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Identity;

/// <summary>A known chat identity costs one store read per turn (its profile), and what is remembered never goes stale.</summary>
public sealed class IdentityLinkCacheTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private ReadCountingStore _counted = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync(StoreKind.Sqlite);
        _counted = new ReadCountingStore(_store.Store);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private UserDirectory Directory(IDocumentStore store) =>
        new(store, Options.Create(new PeopleOptions()), TimeProvider.System, NullLogger<UserDirectory>.Instance);

    [Fact]
    public async Task A_known_identity_reads_only_the_profile_and_sees_a_profile_change()
    {
        var users = Directory(_counted);
        var created = await users.ResolveAsync("slack", "T1:U1", "Ada", null, ["partner"]);

        _counted.Reads.Clear();
        var found = await users.FindByIdentityAsync("slack", "T1:U1");
        Assert.Equal(created.Id, found!.Id);
        Assert.Equal(["users"], _counted.Reads);

        await users.SetThemeAsync(created.Id, "dark");
        Assert.Equal("dark", (await users.FindByIdentityAsync("slack", "T1:U1"))!.Theme);

        // A deleted profile is not resurrected by the remembered link.
        await _store.Store.DeleteAsync(UserDirectory.UsersContainer, created.Id, "profile");
        Assert.Null(await users.FindByIdentityAsync("slack", "T1:U1"));
    }

    [Fact]
    public async Task An_unknown_identity_is_not_remembered_as_absent_so_a_link_made_elsewhere_is_found()
    {
        var here = Directory(_counted);
        var elsewhere = Directory(_store.Reopen());
        Assert.Null(await here.FindByIdentityAsync("msteams", "aad-1"));

        var linked = await elsewhere.ResolveAsync("msteams", "aad-1", "Grace", null, ["partner"]);

        _counted.Reads.Clear();
        Assert.Equal(linked.Id, (await here.FindByIdentityAsync("msteams", "aad-1"))!.Id);
        Assert.Equal(["identities", "users"], _counted.Reads);
        _counted.Reads.Clear();
        Assert.Equal(linked.Id, (await here.FindByIdentityAsync("msteams", "aad-1"))!.Id);
        Assert.Equal(["users"], _counted.Reads);
    }

    /// <summary>Passes everything to a real store and records the container of each point read.</summary>
    private sealed class ReadCountingStore(IDocumentStore inner) : IDocumentStore
    {
        public List<string> Reads { get; } = [];

        public Task<StoredDocument?> ReadAsync(string container, string partitionKey, string id, CancellationToken ct = default)
        {
            lock (Reads) Reads.Add(container);
            return inner.ReadAsync(container, partitionKey, id, ct);
        }

        public Task<StoredDocument> CreateAsync(string container, string partitionKey, string id, JsonObject body, DocumentOptions? options = null, CancellationToken ct = default) =>
            inner.CreateAsync(container, partitionKey, id, body, options, ct);

        public Task<StoredDocument> UpsertAsync(string container, string partitionKey, string id, JsonObject body, DocumentOptions? options = null, CancellationToken ct = default) =>
            inner.UpsertAsync(container, partitionKey, id, body, options, ct);

        public Task<StoredDocument> ReplaceAsync(string container, string partitionKey, string id, JsonObject body, string ifMatch, DocumentOptions? options = null, CancellationToken ct = default) =>
            inner.ReplaceAsync(container, partitionKey, id, body, ifMatch, options, ct);

        public Task DeleteAsync(string container, string partitionKey, string id, string? ifMatch = null, CancellationToken ct = default) =>
            inner.DeleteAsync(container, partitionKey, id, ifMatch, ct);

        public Task<StoredDocument> PatchAsync(string container, string partitionKey, string id, IReadOnlyList<PatchOperation> operations,
            IReadOnlyList<FieldFilter>? condition = null, string? ifMatch = null, CancellationToken ct = default) =>
            inner.PatchAsync(container, partitionKey, id, operations, condition, ifMatch, ct);

        public Task<DocumentPage> QueryAsync(string container, string? partitionKey, DocumentQuery query, CancellationToken ct = default) =>
            inner.QueryAsync(container, partitionKey, query, ct);

        public Task<bool> PingAsync(CancellationToken ct = default) => inner.PingAsync(ct);
    }
}
