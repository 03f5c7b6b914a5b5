using PartnerBot.Bot.Hosting;

namespace PartnerBot.Tests.Hosting;

public sealed class BoundedCacheTests
{
    [Fact]
    public void GetOrAdd_creates_once_per_key_and_returns_the_first_value_after()
    {
        var cache = new BoundedCache<string, int>(10);
        var calls = 0;

        var first = cache.GetOrAdd("a", _ => ++calls, out var addedFirst);
        var second = cache.GetOrAdd("a", _ => ++calls, out var addedSecond);

        Assert.Equal((1, true), (first, addedFirst));
        Assert.Equal((1, false), (second, addedSecond));
        Assert.Equal(1, calls);
    }

    [Fact]
    public void GetOrAdd_replaces_an_entry_the_caller_no_longer_accepts()
    {
        var cache = new BoundedCache<string, (string Value, int Until)>(10);
        cache.Set("a", ("old", 5));

        var kept = cache.GetOrAdd("a", _ => ("new", 20), out var keptAdded, reusable: e => e.Until > 4);
        var replaced = cache.GetOrAdd("a", _ => ("new", 20), out var replacedAdded, reusable: e => e.Until > 6);

        Assert.Equal(("old", false), (kept.Value, keptAdded));
        Assert.Equal(("new", true), (replaced.Value, replacedAdded));
        Assert.True(cache.TryGetValue("a", out var now) && now.Value == "new");
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void A_removed_entry_is_gone_and_frees_its_place_for_another()
    {
        var cache = new BoundedCache<int, int>(2);
        cache.Set(1, 10);
        cache.Set(2, 20);

        Assert.True(cache.Remove(1));
        Assert.False(cache.Remove(1));
        cache.Set(3, 30);

        Assert.False(cache.TryGetValue(1, out _));
        Assert.True(cache.TryGetValue(2, out var two) && two == 20);
        Assert.True(cache.TryGetValue(3, out var three) && three == 30);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void GetOrAdd_past_the_capacity_forgets_the_least_recently_used_entry()
    {
        var cache = new BoundedCache<int, int>(3);
        for (var i = 0; i < 3; i++) cache.GetOrAdd(i, k => k, out _);
        cache.GetOrAdd(0, _ => -1, out _); // 0 is used again, so 1 is now the oldest

        cache.GetOrAdd(3, k => k, out _);

        Assert.Equal(3, cache.Count);
        Assert.False(cache.TryGetValue(1, out _));
        Assert.True(cache.TryGetValue(0, out var zero) && zero == 0);
    }

    [Fact]
    public async Task Simultaneous_callers_of_one_key_share_one_created_value()
    {
        var cache = new BoundedCache<string, object>(100);
        var created = 0;
        var start = new ManualResetEventSlim();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            start.Wait();
            return cache.GetOrAdd("k", _ => { Interlocked.Increment(ref created); return new object(); }, out _);
        })).Concat([Task.Run(() => { start.Set(); return new object(); })]));

        Assert.Equal(1, created);
        Assert.Single(results.Take(8).Distinct());
    }
}
