using System.Text.Json;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bot.Conversations;

/// <summary>What the bot remembers about one conversation (one person's part of it, in a shared one) between turns.</summary>
public sealed class ConversationState
{
    public List<DialogInstance> Stack { get; set; } = [];

    /// <summary>
    /// The latest inputs processed, so a redelivered activity is processed once: fingerprints of their ids (see
    /// <see cref="InputFingerprint"/>), written on every turn, so they are kept short.
    /// </summary>
    public List<string> RecentInputs { get; set; } = [];

    /// <summary>Whether the input with this id was processed on this state (a state saved before fingerprints holds raw ids).</summary>
    public bool HasProcessed(string inputId) =>
        RecentInputs.Contains(InputFingerprint(inputId)) || RecentInputs.Contains(inputId);

    public void MarkProcessed(string inputId) => RecentInputs.Add(InputFingerprint(inputId));

    /// <summary>
    /// 72 bits of the SHA-256 of an input id, as 12 base64url characters: a third or less of a channel's id, and with the
    /// 50 fingerprints a state keeps, a chance of a mistaken match of about 10^-20 per input.
    /// </summary>
    public static string InputFingerprint(string inputId)
    {
        Span<byte> utf8 = stackalloc byte[256];
        ReadOnlySpan<byte> bytes = System.Text.Encoding.UTF8.TryGetBytes(inputId, utf8, out var written)
            ? utf8[..written]
            : System.Text.Encoding.UTF8.GetBytes(inputId);
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(bytes, hash);
        return Convert.ToBase64String(hash[..9]).Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The channel address of the conversation, for proactive messages.</summary>
    public System.Text.Json.Nodes.JsonObject? Address { get; set; }

    /// <summary>The turn running on this state now, on whichever instance; null between turns.</summary>
    [System.Text.Json.Serialization.JsonPropertyName(LeaseProperty)]
    public TurnLease? Lease { get; set; }

    internal const string LeaseProperty = "lease";
}

/// <summary>A turn's hold on a conversation state: another turn waits until it is given back or runs out.</summary>
/// <param name="Owner">The holding turn (a random id).</param>
/// <param name="Until">When the hold runs out on its own (Unix milliseconds), should its instance stop mid-turn.</param>
public sealed record TurnLease(string Owner, long Until);

/// <summary>
/// Loads and saves <see cref="ConversationState"/> with its ETag, so two simultaneous turns of one conversation
/// cannot overwrite each other's dialog stack. A turn enters the state with a lease (<see cref="EnterAsync"/>), so a turn
/// of the same conversation on another instance (behind a load balancer, a double click) waits for it and then sees
/// its result, instead of running on the same old state.
/// </summary>
/// <remarks>
/// This instance remembers the state it wrote last for each recent conversation, with that write's ETag. The next turn
/// there takes its lease with a write conditional on that ETag and reads nothing; when another instance wrote in between,
/// the ETag no longer matches, the write changes nothing and the turn reads the state as usual. A conversation whose turns
/// alternate between instances would miss every time, so after a miss this instance stops remembering it for
/// <see cref="SharedFor"/>.
/// A conversation this instance has not seen stored lately is most often new, so its first turn takes the lease by
/// creating the state, a write that fails when the state exists; only then is it read. Both writes are conditional, so a
/// wrong guess costs one failed write and never a lost state.
/// </remarks>
public sealed class ConversationStateStore(IDocumentStore store, TimeProvider time)
{
    public const string Container = "conversations";
    /// <summary>Conversations whose last written state this instance remembers at most.</summary>
    public const int RememberedStates = 2_048;
    /// <summary>How long a conversation another instance also wrote is read on every turn before it is remembered again.</summary>
    public static readonly TimeSpan SharedFor = TimeSpan.FromMinutes(5);
    private const int RecentInputsKept = 50;
    private static readonly DocumentOptions Retention = new(TimeSpan.FromDays(30));
    /// <summary>How long a turn holds its state at most: longer than any turn, short enough to recover from a crash.</summary>
    public static readonly TimeSpan LeaseLength = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>The state last written here (null while the conversation counts as shared, until <c>SharedUntil</c>).</summary>
    private sealed record LastWrite(StoredDocument? Document, long SharedUntil);

    private readonly Hosting.BoundedCache<ConversationStateKey, LastWrite> _lastWritten = new(RememberedStates);

    /// <summary>Conversations this instance saw stored lately (256 KB); a turn in one it did not see creates its state rather than reads it.</summary>
    public const int KnownStates = 65_536;
    private readonly Hosting.SeenKeys<ConversationStateKey> _stored = new(KnownStates);

    public sealed record Loaded(ConversationState State, string? ETag);

    /// <summary>A state entered by a turn: <see cref="Unchanged"/> is what it was, to give back when the turn keeps nothing.</summary>
    /// <param name="Found">The stored document the turn entered; null when the state was new.</param>
    public sealed record Entered(ConversationState State, string ETag, StoredDocument? Found)
    {
        /// <summary>The body as the turn found it, without a lapsed lease (built only when a turn gives its state back).</summary>
        public System.Text.Json.Nodes.JsonObject Unchanged
        {
            get
            {
                var body = Found?.Body.DeepClone().AsObject() ?? Serialize(new ConversationState());
                body.Remove(ConversationState.LeaseProperty);
                return body;
            }
        }
    }

    /// <summary>
    /// Takes the lease on the state for one turn, waiting while another turn holds it; the caller ends with
    /// <see cref="SaveAsync(ConversationStateKey, ConversationState, string?, CancellationToken)"/> (which gives the lease
    /// back) or <see cref="LeaveAsync"/>.
    /// </summary>
    public async Task<Entered> EnterAsync(ConversationStateKey key, CancellationToken ct)
    {
        var owner = Guid.NewGuid().ToString("N");
        if (await EnterAsWrittenAsync(key, owner, ct) is { } entered) return entered;
        if (!_stored.MayContain(key) && await EnterNewAsync(key, owner, ct) is { } created) return created;
        var poll = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var doc = await store.ReadAsync(Container, key.ConversationKey, key.Id, ct);
            if (doc is not null) _stored.Add(key);
            var state = doc?.Deserialize(StateJson) ?? new ConversationState();
            var now = NowMs();
            if (state.Lease is { } held && held.Until > now)
            {
                await Task.Delay(poll, ct);
                poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, MaxPoll.Ticks));
                continue;
            }
            state.Lease = NewLease(owner, now);
            try
            {
                var written = doc is null
                    ? await store.CreateTypedAsync(Container, key.ConversationKey, key.Id, state, StateJson, Retention, ct)
                    : await store.ReplaceTypedAsync(Container, key.ConversationKey, key.Id, state, StateJson, doc.ETag, Retention, ct);
                state.Lease = null;
                return new Entered(state, written.ETag, doc);
            }
            catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.Conflict)
            {
                // Another turn entered between our read and write: wait for it like any holder.
            }
        }
    }

    /// <summary>
    /// The lease taken by creating the state, in a conversation this instance has not seen stored: a new conversation
    /// costs one write, where a read would have found nothing first. Null when the state exists after all (created
    /// elsewhere, or before this instance started); the turn then reads it.
    /// </summary>
    private async Task<Entered?> EnterNewAsync(ConversationStateKey key, string owner, CancellationToken ct)
    {
        var state = new ConversationState { Lease = NewLease(owner) };
        try
        {
            var created = await store.CreateTypedAsync(Container, key.ConversationKey, key.Id, state, StateJson, Retention, ct);
            state.Lease = null;
            return new Entered(state, created.ETag, null);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
            _stored.Add(key);
            return null;
        }
    }

    /// <summary>
    /// Whether this instance saw the state stored lately. A conversation it did not see is most often new (or was last
    /// written before this instance started, or on another instance).
    /// </summary>
    public bool MaybeStored(ConversationStateKey key) => _stored.MayContain(key) || _lastWritten.TryGetValue(key, out _);

    /// <summary>
    /// Stores the first state of a conversation, written by a turn that ran without a lease: a create, so it changes
    /// nothing and returns null when the state exists (stored by another turn meanwhile, or before).
    /// </summary>
    public async Task<StoredDocument?> TryCreateAsync(ConversationStateKey key, ConversationState state, CancellationToken ct)
    {
        try
        {
            return await SaveAsync(key, state, etag: null, ct);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
            _stored.Add(key);
            return null;
        }
    }

    /// <summary>
    /// Removes a state stored by <see cref="TryCreateAsync"/> whose turn never got its replies out, unless a later turn
    /// changed it: the input then counts as not processed, and a redelivery of it runs again.
    /// </summary>
    public async Task<bool> RemoveCreatedAsync(ConversationStateKey key, StoredDocument created, CancellationToken ct)
    {
        _lastWritten.Remove(key);
        try
        {
            await store.DeleteAsync(Container, key.ConversationKey, key.Id, created.ETag, ct);
            return true;
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.NotFound)
        {
            return false;
        }
    }

    /// <summary>Gives the lease back and leaves the state as the turn found it; false when the lease had already run out.</summary>
    public async Task<bool> LeaveAsync(ConversationStateKey key, Entered entered, CancellationToken ct)
    {
        try
        {
            Remember(key, await store.ReplaceAsync(Container, key.ConversationKey, key.Id, entered.Unchanged, entered.ETag, Retention, ct));
            return true;
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.NotFound)
        {
            _lastWritten.Remove(key);
            return false;
        }
    }

    /// <summary>The lease taken on the state as this instance last wrote it, without reading; null when there is none or it changed.</summary>
    private async Task<Entered?> EnterAsWrittenAsync(ConversationStateKey key, string owner, CancellationToken ct)
    {
        if (!_lastWritten.TryGetValue(key, out var last) || last.Document is not { } mine) return null;
        var state = mine.Deserialize(StateJson) ?? new ConversationState();
        state.Lease = NewLease(owner);
        try
        {
            var written = await store.ReplaceTypedAsync(Container, key.ConversationKey, key.Id, state, StateJson, mine.ETag, Retention, ct);
            state.Lease = null;
            return new Entered(state, written.ETag, mine);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed)
        {
            // Another instance wrote it since: read it, and read it first on its next turns for a while.
            _lastWritten.Set(key, new LastWrite(null, NowMs() + (long)SharedFor.TotalMilliseconds));
            return null;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            _lastWritten.Remove(key); // expired or removed: the turn starts anew
            return null;
        }
        catch
        {
            _lastWritten.Remove(key);
            throw;
        }
    }

    private void Remember(ConversationStateKey key, StoredDocument written)
    {
        _stored.Add(key);
        if (_lastWritten.TryGetValue(key, out var last) && last.Document is null
            && last.SharedUntil > NowMs()) return;
        _lastWritten.Set(key, new LastWrite(written, 0));
    }

    /// <summary>The state of a one-to-one conversation.</summary>
    public Task<Loaded> LoadAsync(string conversationKey, CancellationToken ct) => LoadAsync(ConversationStateKey.Of(conversationKey), ct);

    public Task SaveAsync(string conversationKey, ConversationState state, string? etag, CancellationToken ct) =>
        SaveAsync(ConversationStateKey.Of(conversationKey), state, etag, ct);

    public async Task<Loaded> LoadAsync(ConversationStateKey key, CancellationToken ct)
    {
        var doc = await store.ReadAsync(Container, key.ConversationKey, key.Id, ct);
        if (doc is null) return new Loaded(new ConversationState(), null);
        var state = doc.Deserialize(StateJson) ?? new ConversationState();
        return new Loaded(state, doc.ETag);
    }

    /// <summary>
    /// Saves the state (without a lease, so an entered turn gives its lease back); <see cref="StorageErrorKind.PreconditionFailed"/>
    /// or Conflict when another turn saved first.
    /// </summary>
    public async Task<StoredDocument> SaveAsync(ConversationStateKey key, ConversationState state, string? etag, CancellationToken ct)
    {
        if (state.RecentInputs.Count > RecentInputsKept)
            state.RecentInputs.RemoveRange(0, state.RecentInputs.Count - RecentInputsKept);
        state.Lease = null;
        try
        {
            var written = etag is null
                ? await store.CreateTypedAsync(Container, key.ConversationKey, key.Id, state, StateJson, Retention, ct)
                : await store.ReplaceTypedAsync(Container, key.ConversationKey, key.Id, state, StateJson, etag, Retention, ct);
            Remember(key, written);
            return written;
        }
        catch
        {
            _lastWritten.Remove(key);
            throw;
        }
    }

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private TurnLease NewLease(string owner, long? now = null) => new(owner, (now ?? NowMs()) + (long)LeaseLength.TotalMilliseconds);

    /// <summary>The state's stored JSON; written straight from the object on every turn, with no node tree between.</summary>
    private static System.Text.Json.Serialization.Metadata.JsonTypeInfo<ConversationState> StateJson => DialogJson.Context.ConversationState;

    private static System.Text.Json.Nodes.JsonObject Serialize(ConversationState state) =>
        JsonSerializer.SerializeToNode(state, DialogJson.Context.ConversationState)!.AsObject();
}
