using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Storage;
using PartnerBot.Tests.Billing;
using PartnerBot.Tests.Infrastructure;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Identity;

/// <summary>
/// A turn resolves its user from the profile this instance read or wrote lately (People:ProfileCacheSeconds): no store
/// call for a person who just spoke, a change made here at once, a change made elsewhere after the freshness runs out.
/// </summary>
public sealed class ProfileFreshnessTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);
    private TestStore _store = null!;
    private CallRecordingStore _counted = null!;
    private readonly ManualClock _clock = new(Start);

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync(StoreKind.Sqlite);
        _counted = new CallRecordingStore(_store.Store);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private UserDirectory Directory(IDocumentStore store, TimeSpan? freshFor = null) =>
        new(store, Options.Create(new PeopleOptions { ProfileFreshFor = freshFor ?? PeopleOptions.DefaultProfileFreshFor }), _clock,
            NullLogger<UserDirectory>.Instance);

    private static Task<PlatformUser> TurnAsync(UserDirectory users) => users.ResolveAsync("slack", "T1:U1", "Ada", null, ["partner"]);

    [Fact]
    public async Task The_next_turn_of_a_person_reads_nothing_and_a_change_made_elsewhere_shows_once_the_freshness_runs_out()
    {
        var here = Directory(_counted);
        var elsewhere = Directory(_store.Reopen());
        var ada = await TurnAsync(here);

        _counted.Clear();
        Assert.Equal(ada, await TurnAsync(here));
        Assert.Empty(_counted.Calls);

        await elsewhere.GrantRoleAsync(ada.Id, Roles.Support);
        _clock.Advance(PeopleOptions.DefaultProfileFreshFor - TimeSpan.FromMilliseconds(1));
        Assert.DoesNotContain(Roles.Support, (await TurnAsync(here)).Roles);
        Assert.Empty(_counted.Calls);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Contains(Roles.Support, (await TurnAsync(here)).Roles);
        Assert.Equal(["users"], _counted.Reads);

        // Read again, it is fresh again.
        _counted.Clear();
        Assert.Contains(Roles.Support, (await TurnAsync(here)).Roles);
        Assert.Empty(_counted.Calls);
    }

    [Fact]
    public async Task A_change_made_through_this_instance_shows_on_the_next_turn_at_once()
    {
        var users = Directory(_counted);
        var ada = await TurnAsync(users);

        await users.GrantRoleAsync(ada.Id, Roles.Support);
        await users.SetThemeAsync(ada.Id, "dark");
        _counted.Clear();
        var next = await TurnAsync(users);
        Assert.Contains(Roles.Support, next.Roles);
        Assert.Equal("dark", next.Theme);
        Assert.Empty(_counted.Calls);

        await users.RevokeRoleAsync(ada.Id, Roles.Support);
        Assert.DoesNotContain(Roles.Support, (await TurnAsync(users)).Roles);
    }

    [Fact]
    public async Task Lookups_outside_a_turn_always_read_the_store()
    {
        var here = Directory(_counted);
        var ada = await TurnAsync(here);
        await Directory(_store.Reopen()).SetThemeAsync(ada.Id, "dark");

        _counted.Clear();
        Assert.Equal("dark", (await here.FindByIdentityAsync("slack", "T1:U1"))!.Theme);
        Assert.Equal("dark", (await here.FindAsync(ada.Id))!.Theme);
        Assert.Equal(["users", "users"], _counted.Reads);
        // What they read is what the next turn uses.
        _counted.Clear();
        Assert.Equal("dark", (await TurnAsync(here)).Theme);
        Assert.Empty(_counted.Calls);
    }

    [Fact]
    public async Task With_no_freshness_every_turn_reads_the_profile()
    {
        var users = Directory(_counted, TimeSpan.Zero);
        await TurnAsync(users);

        _counted.Clear();
        await TurnAsync(users);
        await TurnAsync(users);
        Assert.Equal(["users", "users"], _counted.Reads);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("301")]
    public async Task A_bad_profile_cache_setting_stops_start_up_naming_the_key(string value)
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => BotTestHost.StartAsync(
            new Dictionary<string, string?> { ["People:ProfileCacheSeconds"] = value }));
        Assert.Contains("People:ProfileCacheSeconds", e.Message);
    }
}
