namespace PartnerBot.Bot.Hosting;

/// <summary>
/// A fixed-size record of keys seen lately, without locks or allocation: each key hashes to one slot, and a key seen
/// later in the same slot takes it. So <see cref="MayContain"/> can be wrong both ways (a key whose slot was taken is
/// forgotten; two keys with the same 32-bit hash are confused): use it only where either answer is correct and one of
/// them merely cheaper.
/// </summary>
public sealed class SeenKeys<TKey> where TKey : notnull
{
    private readonly int[] _slots;
    private readonly int _mask;

    /// <param name="capacity">Slots, rounded up to a power of two (4 bytes each).</param>
    public SeenKeys(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _slots = new int[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity)];
        _mask = _slots.Length - 1;
    }

    public int Capacity => _slots.Length;

    public void Add(TKey key)
    {
        var (slot, mark) = Locate(key);
        Volatile.Write(ref _slots[slot], mark);
    }

    /// <summary>True when <paramref name="key"/> was added and its slot not taken since (or, rarely, another key looks like it).</summary>
    public bool MayContain(TKey key)
    {
        var (slot, mark) = Locate(key);
        return Volatile.Read(ref _slots[slot]) == mark;
    }

    private (int Slot, int Mark) Locate(TKey key)
    {
        var hash = key.GetHashCode();
        // The slot comes from the low bits, so the mark is the whole hash; 0 means empty, so a hash of 0 is marked as 1.
        return (hash & _mask, hash == 0 ? 1 : hash);
    }
}
