using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Channels.BotFramework;

namespace PartnerBot.Bot.Channels.DirectLine;

/// <summary>
/// Direct Line conversations and their activity logs, kept in the document store so a page reconnecting after a
/// host restart gets everything after its watermark.
/// </summary>
/// <remarks>
/// Every write of an activity, its first version or a replacement, takes the conversation's next sequence number, and
/// that number is the watermark. An activity is stored once, under its position (the sequence number it was first
/// written with, also the number in its id), so a replacement overwrites the earlier version: a client reading after
/// its watermark receives the replacement, and a client reading from the start receives only the latest version.
/// Each activity carries its position as <c>channelData["webchat:sequence-id"]</c>, which Web Chat sorts by, so a
/// replacement (same id) takes the place of the version it replaces instead of moving to the end.
/// </remarks>
public sealed class DirectLineConversations(IDocumentStore store, Microsoft.Extensions.Options.IOptions<DirectLineStreamOptions> streamOptions)
{
    public const string Container = "directline";
    /// <summary>Where Web Chat reads an activity's place in the transcript.</summary>
    public const string SequenceIdKey = "webchat:sequence-id";
    private const string ConversationDocId = "conversation";
    private const int MaxReplaceAttempts = 5;
    private static readonly DocumentOptions ActivityRetention = new(TimeSpan.FromDays(2));
    private static readonly DocumentOptions ConversationRetention = new(TimeSpan.FromDays(7));
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, Channel<(long Seq, Activity Activity)>>> _listeners = new();
    // Streams open and leave rarely next to activities: one lock keeps the counts and the map in step.
    private readonly Lock _listenersLock = new();
    private int _openStreams;
    // Writes of one conversation take their sequence number, are stored and are handed to streams one at a time, so
    // no reader ever sees a number before a smaller one is stored. Striped: a bounded set of locks for any number of
    // conversations.
    private readonly SemaphoreSlim[] _writeLocks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly DirectLineSecretDeliveries _secrets = new(TimeProvider.System);

    /// <summary>Creates the conversation; false when it already existed.</summary>
    public async Task<bool> CreateAsync(DirectLineGrant grant, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["userId"] = grant.UserId,
            ["userName"] = grant.UserName,
            ["lastSeq"] = 0,
            ["createdAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        try
        {
            await store.CreateAsync(Container, grant.ConversationId, ConversationDocId, body, ConversationRetention, ct);
            return true;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
            return false;
        }
    }

    public async Task<bool> ExistsAsync(string conversationId, CancellationToken ct) =>
        await store.ReadAsync(Container, conversationId, ConversationDocId, ct) is not null;

    /// <summary>Stores an activity with the next id of the conversation and hands it to open streams.</summary>
    public Task<Activity> AppendAsync(string conversationId, Activity activity, CancellationToken ct) =>
        AppendAsync(conversationId, activity, null, ct);

    /// <summary>
    /// Stores <paramref name="stored"/> (a copy without the secret) and delivers <paramref name="withSecret"/> under
    /// the same id once: to the open streams, or else to the conversation's next read.
    /// </summary>
    public Task<Activity> AppendSecretAsync(string conversationId, Activity stored, Activity withSecret, CancellationToken ct) =>
        AppendAsync(conversationId, stored, withSecret, ct);

    private async Task<Activity> AppendAsync(string conversationId, Activity activity, Activity? withSecret, CancellationToken ct)
    {
        var writeLock = WriteLock(conversationId);
        await writeLock.WaitAsync(ct);
        try
        {
            var seq = await NextSequenceAsync(conversationId, ct);
            activity.Id = ActivityId(conversationId, seq);
            // Millisecond precision: Web Chat orders activities by their timestamp parsed with JavaScript's Date.
            var now = DateTimeOffset.UtcNow;
            activity.Timestamp = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
            activity.ChannelId = DirectLineChannel.ChannelId;
            activity.Conversation ??= new ConversationAccount { Id = conversationId };
            activity.ChannelData = WithPosition(activity.ChannelData, seq);

            if (withSecret is null)
            {
                await store.CreateAsync(Container, conversationId, ActivityDocId(seq), Document(seq, seq, Serialize(activity)), ActivityRetention, ct);
                Publish(conversationId, seq, activity);
                return activity;
            }
            (withSecret.Id, withSecret.Timestamp, withSecret.ChannelId) = (activity.Id, activity.Timestamp, activity.ChannelId);
            withSecret.Conversation ??= activity.Conversation;
            withSecret.ChannelData = WithPosition(withSecret.ChannelData, seq);
            // Held before the stored copy exists, so a read racing the write cannot see only the copy. Whoever takes
            // the held version (a read, or the streams below) is the one that delivers it.
            _secrets.Hold(conversationId, seq, withSecret);
            await store.CreateAsync(Container, conversationId, ActivityDocId(seq), Document(seq, seq, Serialize(activity)), ActivityRetention, ct);
            if (_secrets.Take(conversationId, seq) is { } undelivered && !Publish(conversationId, seq, undelivered))
                _secrets.Hold(conversationId, seq, undelivered);
            return activity;
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>
    /// Replaces the content of an activity stored earlier, keeping its id, time, sender, reply-to and place, and hands
    /// the new version to open streams. Content equal to the stored version is not written or sent again. Returns the
    /// activity as it now stands, or null when there is no such activity in this conversation (any more).
    /// </summary>
    public async Task<Activity?> ReplaceAsync(string conversationId, string activityId, Activity replacement, CancellationToken ct)
    {
        if (PositionOf(conversationId, activityId) is not { } position) return null;
        var writeLock = WriteLock(conversationId);
        await writeLock.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var document = await store.ReadAsync(Container, conversationId, ActivityDocId(position), ct);
                if (document?.Body["activity"] is not JsonObject stored) return null;

                var next = Serialize(replacement);
                foreach (var kept in KeptOnReplace)
                {
                    next.Remove(kept);
                    if (stored[kept] is { } value) next[kept] = value.DeepClone();
                }
                next["channelData"] = WithPosition(next["channelData"]?.DeepClone(), position);
                if (JsonNode.DeepEquals(next, stored)) return Deserialize(stored);

                var seq = await NextSequenceAsync(conversationId, ct);
                try
                {
                    await store.ReplaceAsync(Container, conversationId, ActivityDocId(position), Document(seq, position, next), document.ETag, ActivityRetention, ct);
                }
                catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed && attempt < MaxReplaceAttempts)
                {
                    continue; // Another host replaced it meanwhile: start again from what is stored now.
                }
                catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
                {
                    return null;
                }
                var activity = Deserialize(next)!;
                Publish(conversationId, seq, activity);
                return activity;
            }
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>What a replacement takes over from the version it replaces.</summary>
    private static readonly string[] KeptOnReplace = ["id", "timestamp", "channelId", "conversation", "from", "recipient", "replyToId"];

    /// <summary>
    /// Replaces a stored activity's text and submitted values with a placeholder (it held a secret); the id, sender and
    /// client id stay, so a replay still lines up. False when the activity is not stored (any more).
    /// </summary>
    public async Task<bool> RedactAsync(string conversationId, string activityId, CancellationToken ct)
    {
        if (PositionOf(conversationId, activityId) is not { } position) return false;
        var document = await store.ReadAsync(Container, conversationId, ActivityDocId(position), ct);
        if (document?.Body["activity"] is not JsonObject activity) return false;
        activity["text"] = RedactedText;
        activity.Remove("value");
        activity.Remove("attachments");
        activity.Remove("speak");
        await store.UpsertAsync(Container, conversationId, ActivityDocId(position), document.Body, ActivityRetention, ct);
        return true;
    }

    public const string RedactedText = "(removed: this message contained a secret)";

    /// <summary>Every activity after <paramref name="watermark"/>, oldest first, with the new watermark.</summary>
    public async Task<(IReadOnlyList<Activity> Activities, long Watermark)> ReadAfterAsync(string conversationId, long watermark, CancellationToken ct)
    {
        var activities = new List<Activity>();
        var last = watermark;
        string? continuation = null;
        do
        {
            var page = await store.QueryAsync(Container, conversationId, new DocumentQuery
            {
                Filters = [new FieldFilter("/seq", FilterOperator.GreaterThan, JsonValue.Create(watermark))],
                OrderBy = "/seq",
                PageSize = 100,
                ContinuationToken = continuation,
            }, ct);
            foreach (var doc in page.Items)
            {
                var seq = doc.Body["seq"]!.GetValue<long>();
                var activity = Deserialize(doc.Body["activity"]);
                if (activity is null) continue;
                // Activities stored before positions were recorded sit where they were first written.
                if (activity.ChannelData is not JsonObject { } channelData || !channelData.ContainsKey(SequenceIdKey))
                    activity.ChannelData = WithPosition(activity.ChannelData, (long?)doc.Body["position"] ?? seq);
                activities.Add(_secrets.Take(conversationId, seq) ?? activity);
                last = Math.Max(last, seq);
            }
            continuation = page.ContinuationToken;
        } while (continuation is not null);
        return (activities, last);
    }

    /// <summary>Streams open on this instance, all conversations together.</summary>
    public int OpenStreams => Volatile.Read(ref _openStreams);

    /// <summary>Conversations with at least one open stream on this instance (an entry leaves with its last stream).</summary>
    public int ConversationsWithStreams => _listeners.Count;

    /// <summary>
    /// Live activities of a conversation for a stream; dispose the subscription to stop. Null, with the reason, when
    /// the instance already holds <see cref="DirectLineStreamOptions.MaxStreams"/> streams or the conversation
    /// <see cref="DirectLineStreamOptions.MaxStreamsPerConversation"/>: a new stream is refused, open ones are kept.
    /// </summary>
    public Subscription? TrySubscribe(string conversationId, out StreamRefusal refusal)
    {
        var limits = streamOptions.Value;
        var channel = Channel.CreateBounded<(long, Activity)>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
        var key = Guid.NewGuid();
        lock (_listenersLock)
        {
            if (_openStreams >= limits.MaxStreams)
            {
                refusal = StreamRefusal.InstanceFull;
                return null;
            }
            var listeners = _listeners.GetOrAdd(conversationId, _ => new());
            if (listeners.Count >= limits.MaxStreamsPerConversation)
            {
                refusal = StreamRefusal.ConversationFull;
                return null;
            }
            listeners.TryAdd(key, channel);
            _openStreams++;
        }
        refusal = StreamRefusal.None;
        return new Subscription(channel.Reader, () =>
        {
            lock (_listenersLock)
            {
                if (_listeners.TryGetValue(conversationId, out var listeners) && listeners.TryRemove(key, out _))
                {
                    _openStreams--;
                    if (listeners.IsEmpty) _listeners.TryRemove(conversationId, out _);
                }
            }
            channel.Writer.TryComplete();
        });
    }

    public enum StreamRefusal { None, InstanceFull, ConversationFull }

    private async Task<long> NextSequenceAsync(string conversationId, CancellationToken ct)
    {
        var counter = await store.PatchAsync(Container, conversationId, ConversationDocId, [PatchOperation.Increment("/lastSeq", 1L)], ct: ct);
        return counter.Body["lastSeq"]!.GetValue<long>();
    }

    /// <summary>Hands the activity to the conversation's open streams; false when none took it.</summary>
    private bool Publish(string conversationId, long seq, Activity activity)
    {
        if (!_listeners.TryGetValue(conversationId, out var listeners)) return false;
        var taken = false;
        foreach (var listener in listeners.Values) taken |= listener.Writer.TryWrite((seq, activity));
        return taken;
    }

    private SemaphoreSlim WriteLock(string conversationId) =>
        _writeLocks[(int)((uint)StringComparer.Ordinal.GetHashCode(conversationId) % (uint)_writeLocks.Length)];

    private static JsonObject Document(long seq, long position, JsonObject activity) =>
        new() { ["seq"] = seq, ["position"] = position, ["activity"] = activity };

    private static JsonObject Serialize(Activity activity) => JsonSerializer.SerializeToNode(activity, BotFrameworkJson.Options)!.AsObject();

    private static Activity? Deserialize(JsonNode? node) => node.Deserialize(BotFrameworkJson.Options.GetTypeInfo(typeof(Activity))) as Activity;

    /// <summary>Channel data with the activity's place for Web Chat; channel data that is not an object is left as sent.</summary>
    private static JsonNode? WithPosition(JsonNode? channelData, long position)
    {
        if (channelData is not null and not JsonObject) return channelData;
        var data = channelData as JsonObject ?? new JsonObject();
        data[SequenceIdKey] = position;
        return data;
    }

    private static string ActivityId(string conversationId, long position) =>
        $"{conversationId}|{position.ToString("D7", CultureInfo.InvariantCulture)}";

    /// <summary>The position in an activity id of this conversation, or null for any other id.</summary>
    private static long? PositionOf(string conversationId, string activityId)
    {
        var separator = activityId.LastIndexOf('|');
        return separator == conversationId.Length && activityId.StartsWith(conversationId, StringComparison.Ordinal)
            && long.TryParse(activityId.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var position) && position > 0
                ? position
                : null;
    }

    private static string ActivityDocId(long position) => "a" + position.ToString("D12", CultureInfo.InvariantCulture);

    public sealed class Subscription(ChannelReader<(long Seq, Activity Activity)> reader, Action dispose) : IDisposable
    {
        private int _disposed;
        public ChannelReader<(long Seq, Activity Activity)> Reader { get; } = reader;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) dispose();
        }
    }
}

/// <summary>
/// <c>LocalChat:MaxStreams</c> and <c>LocalChat:MaxStreamsPerConversation</c>: how many Direct Line WebSocket streams one
/// instance keeps open. Past either, a new stream is refused (429 for a conversation, 503 for the instance, each with
/// Retry-After and a problem-details body); streams already open are never closed to make room, so a client cannot
/// push another out. Web Chat falls back to reconnecting, and polling <c>GET …/activities</c> keeps working.
/// </summary>
public sealed class DirectLineStreamOptions
{
    public const string Section = "LocalChat";
    public int MaxStreams { get; set; } = 1000;
    public int MaxStreamsPerConversation { get; set; } = 4;

    public string? Problem() =>
        MaxStreams is < 1 or > 1_000_000 ? "LocalChat:MaxStreams must be between 1 and 1000000."
        : MaxStreamsPerConversation < 1 || MaxStreamsPerConversation > MaxStreams
            ? "LocalChat:MaxStreamsPerConversation must be at least 1 and at most LocalChat:MaxStreams."
            : null;
}
