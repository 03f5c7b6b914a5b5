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
    private CallRecordingStore _counted = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync(StoreKind.Sqlite);
        _counted = new CallRecordingStore(_store.Store);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private UserDirectory Directory(IDocumentStore store) =>
        new(store, Options.Create(new PeopleOptions()), TimeProvider.System, NullLogger<UserDirectory>.Instance);

    [Fact]
    public async Task A_known_identity_reads_only_the_profile_and_sees_a_profile_change()
    {
        var users = Directory(_counted);
        var created = await users.ResolveAsync("slack", "T1:U1", "Ada", null, ["partner"]);

        _counted.Clear();
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

        _counted.Clear();
        Assert.Equal(linked.Id, (await here.FindByIdentityAsync("msteams", "aad-1"))!.Id);
        Assert.Equal(["identities", "users"], _counted.Reads);
        _counted.Clear();
        Assert.Equal(linked.Id, (await here.FindByIdentityAsync("msteams", "aad-1"))!.Id);
        Assert.Equal(["users"], _counted.Reads);
    }

    [Fact]
    public async Task A_first_contact_creates_the_profile_with_its_identity_in_three_store_calls()
    {
        var users = Directory(_counted);

        var created = await users.ResolveAsync("msteams", "aad-2", "Lin", null, ["partner"]);

        Assert.Equal(["read identities", "create users", "create identities"], _counted.Calls);
        var stored = await Directory(_store.Reopen()).FindByIdentityAsync("msteams", "aad-2");
        Assert.Equal(created, stored! with { Roles = created.Roles, Identities = created.Identities });
        Assert.Equal([new ChatIdentityLink("msteams", "aad-2")], stored.Identities);
        Assert.Equal(created.Roles, stored.Roles);
    }

    [Fact]
    public async Task Two_first_contacts_of_one_identity_leave_one_user_and_no_unused_profile()
    {
        var one = Directory(_store.Store);
        var other = Directory(_store.Reopen());

        var users = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => (i % 2 == 0 ? one : other).ResolveAsync("slack", "T1:U9", "Kim", null, ["partner"]))));

        Assert.Single(users.Select(u => u.Id).Distinct());
        var profiles = await _store.Store.QueryAsync(UserDirectory.UsersContainer, null, new DocumentQuery());
        Assert.Equal([users[0].Id], profiles.Items.Select(d => (string)d.Body["userId"]!));
    }
}
