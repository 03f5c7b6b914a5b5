using PartnerBot.Bot.Hosting;

namespace PartnerBot.Tests.Hosting;

public sealed class SeenKeysTests
{
    /// <summary>A key whose hash is chosen, to put two keys in one slot.</summary>
    private sealed record Hashed(string Name, int Hash)
    {
        public override int GetHashCode() => Hash;
    }

    [Fact]
    public void Added_keys_are_seen_and_others_are_not()
    {
        var seen = new SeenKeys<Hashed>(1_000);
        Assert.Equal(1_024, seen.Capacity);
        // Odd multiples stay in distinct slots of 1,024.
        var added = Enumerable.Range(0, 100).Select(i => new Hashed("added-" + i, i * 7_919)).ToList();
        foreach (var key in added) seen.Add(key);
        Assert.All(added, key => Assert.True(seen.MayContain(key)));
        Assert.All(Enumerable.Range(100, 900), i => Assert.False(seen.MayContain(new Hashed("other-" + i, i * 7_919))));
    }

    [Fact]
    public void A_key_added_later_in_the_same_slot_takes_it()
    {
        var seen = new SeenKeys<Hashed>(16);
        var first = new Hashed("first", 5);
        var second = new Hashed("second", 5 + 16);
        seen.Add(first);
        seen.Add(second);
        Assert.False(seen.MayContain(first));
        Assert.True(seen.MayContain(second));
    }

    [Fact]
    public void A_key_whose_hash_is_zero_is_seen_once_added_and_not_before()
    {
        var seen = new SeenKeys<Hashed>(8);
        var zero = new Hashed("zero", 0);
        Assert.False(seen.MayContain(zero));
        seen.Add(zero);
        Assert.True(seen.MayContain(zero));
    }
}
