namespace PartnerBot.Bot.Hosting;

/// <summary>
/// A thread-safe map holding at most <c>capacity</c> entries: adding one past it forgets the least recently used
/// (read or written) entry, so memory stays bounded however many keys callers bring.
/// </summary>
public sealed class BoundedCache<TKey, TValue> where TKey : notnull
{
    private readonly int _capacity;
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _entries;
    private readonly LinkedList<(TKey Key, TValue Value)> _recency = new(); // most recently used first
    private readonly Lock _lock = new();

    public BoundedCache(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _entries = new Dictionary<TKey, LinkedListNode<(TKey, TValue)>>(comparer);
    }

    public int Count
    {
        get { lock (_lock) return _entries.Count; }
    }

    public bool TryGetValue(TKey key, out TValue value)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                Touch(node);
                value = node.Value.Value;
                return true;
            }
        }
        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        lock (_lock) SetLocked(key, value);
    }

    public bool Remove(TKey key)
    {
        lock (_lock)
        {
            if (!_entries.Remove(key, out var node)) return false;
            _recency.Remove(node);
            return true;
        }
    }

    /// <summary>
    /// The entry under <paramref name="key"/> when there is one and <paramref name="reusable"/> (when given) accepts it;
    /// otherwise the value <paramref name="create"/> makes, stored in its place. Atomic: of simultaneous callers with
    /// one key, one creates and the others get its value.
    /// </summary>
    public TValue GetOrAdd(TKey key, Func<TKey, TValue> create, out bool added, Func<TValue, bool>? reusable = null)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node) && (reusable is null || reusable(node.Value.Value)))
            {
                Touch(node);
                added = false;
                return node.Value.Value;
            }
            var value = create(key);
            SetLocked(key, value);
            added = true;
            return value;
        }
    }

    /// <summary>Marks the entry as the most recently used.</summary>
    private void Touch(LinkedListNode<(TKey Key, TValue Value)> node)
    {
        _recency.Remove(node);
        _recency.AddFirst(node);
    }

    private void SetLocked(TKey key, TValue value)
    {
        if (_entries.TryGetValue(key, out var node))
        {
            node.Value = (key, value);
            Touch(node);
            return;
        }
        if (_entries.Count >= _capacity && _recency.Last is { } oldest)
        {
            _recency.RemoveLast();
            _entries.Remove(oldest.Value.Key);
        }
        _entries[key] = _recency.AddFirst((key, value));
    }
}
