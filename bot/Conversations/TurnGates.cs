namespace PartnerBot.Bot.Conversations;

/// <summary>
/// One turn at a time per dialog state in this process, with a fixed number of gates (a key maps to one of them), so
/// memory does not grow with the number of conversations. Two keys rarely share a gate; when they do, their turns
/// only take turns.
/// </summary>
public sealed class TurnGates
{
    private const int Count = 4096;
    private readonly SemaphoreSlim[] _gates = Enumerable.Range(0, Count).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>The gates this process has, whatever the number of keys: nothing is added per conversation, so nothing is left behind.</summary>
    public int Gates => _gates.Length;

    /// <summary>Gates held by a turn right now.</summary>
    public int Held => _gates.Count(g => g.CurrentCount == 0);

    public async Task<IDisposable> EnterAsync(string key, CancellationToken ct)
    {
        var gate = _gates[(int)((uint)StringComparer.Ordinal.GetHashCode(key) % Count)];
        await gate.WaitAsync(ct);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }
}
