using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Publishing;
using PartnerBot.Tests.Billing;
using PartnerBot.Tests.Infrastructure;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Publishing;

public sealed class SqliteScheduledSyncRoundTests() : ScheduledSyncRoundTests(StoreKind.Sqlite);

[RequiresNode]
public sealed class CosmosScheduledSyncRoundTests() : ScheduledSyncRoundTests(StoreKind.Cosmos);

/// <summary>The scheduled sync is leased: of several instances on one store, one syncs per interval, and another takes over when it stops.</summary>
public abstract class ScheduledSyncRoundTests(StoreKind kind) : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(15);
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync(kind);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [StoreFact]
    public async Task Of_instances_claiming_the_same_round_at_once_exactly_one_gets_it()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var instances = Enumerable.Range(0, 6).Select(i => new ScheduledSyncRounds(i % 2 == 0 ? _store.Store : _store.Reopen(), clock)).ToList();

        var claims = await Task.WhenAll(instances.Select((r, i) => r.TryClaimAsync("instance-" + i, Interval, CancellationToken.None)));
        Assert.Single(claims, c => c);
        var winner = "instance-" + Array.IndexOf(claims, true);
        Assert.Equal(winner, await instances[0].LastOwnerAsync(CancellationToken.None));

        // Within the interval nobody syncs again, the winner included.
        clock.Advance(Interval / 2);
        Assert.All(await Task.WhenAll(instances.Select((r, i) => r.TryClaimAsync("instance-" + i, Interval, CancellationToken.None))), Assert.False);

        // The next round: the winner's own timer fires one interval later and gets it.
        clock.Advance(Interval / 2);
        Assert.True(await instances[Array.IndexOf(claims, true)].TryClaimAsync(winner, Interval, CancellationToken.None));
    }

    [StoreFact]
    public async Task When_the_instance_that_synced_stops_another_takes_the_next_round()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var stopped = new ScheduledSyncRounds(_store.Store, clock);
        var other = new ScheduledSyncRounds(_store.Reopen(), clock);
        Assert.True(await stopped.TryClaimAsync("stopped", Interval, CancellationToken.None));
        Assert.False(await other.TryClaimAsync("other", Interval, CancellationToken.None));

        clock.Advance(Interval);
        Assert.True(await other.TryClaimAsync("other", Interval, CancellationToken.None));
        Assert.Equal("other", await other.LastOwnerAsync(CancellationToken.None));
    }

    [StoreFact]
    public async Task Two_hosts_on_one_store_sync_the_platform_repository_once_per_round()
    {
        using var github = new FakeGitHub();
        github.AddModule("modules/network", "network", "Network: a private network.");
        var settings = new Dictionary<string, string?>
        {
            ["GitHub:ApiBaseUrl"] = github.ApiUrl,
            ["GitHub:RetryDelayMilliseconds"] = "10",
            ["GitHub:PlatformRepository"] = FakeGitHub.Repository,
            ["GitHub:PlatformToken"] = FakeGitHub.ClassicToken,
        };
        await using var a = await BotTestHost.StartAsync(settings, store: _store);
        await using var b = await BotTestHost.StartAsync(settings, store: _store);
        var syncs = new[] { a, b }.Select(h => h.Services.GetRequiredService<ScheduledModuleSync>()).ToList();

        var ran = await Task.WhenAll(syncs.Select(s => s.RunScheduledRoundAsync(CancellationToken.None)));
        Assert.Single(ran, r => r);
        var owner = await a.Services.GetRequiredService<ScheduledSyncRounds>().LastOwnerAsync(CancellationToken.None);
        Assert.Equal(syncs[Array.IndexOf(ran, true)].InstanceName, owner);

        // Asked again within the interval, neither host syncs, so GitHub sees no request.
        var before = github.RepositoryRequests;
        Assert.All(await Task.WhenAll(syncs.Select(s => s.RunScheduledRoundAsync(CancellationToken.None))), Assert.False);
        Assert.Equal(before, github.RepositoryRequests);
    }
}
