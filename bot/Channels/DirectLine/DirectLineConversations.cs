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
/// host restart gets everything after its watermark. The watermark is the activity's sequence number.
/// </summary>
public sealed class DirectLineConversations(IDocumentStore store)
{
    public const string Container = "directline";
    private const string ConversationDocId = "conversation";
    private static readonly DocumentOptions ActivityRetention = new(TimeSpan.FromDays(2));
    private static readonly DocumentOptions ConversationRetention = new(TimeSpan.FromDays(7));
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, Channel<(long Seq, Activity Activity)>>> _listeners = new();
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
        var counter = await store.PatchAsync(Container, conversationId, ConversationDocId,
            [PatchOperation.Increment("/lastSeq", 1L)], ct: ct);
        var seq = counter.Body["lastSeq"]!.GetValue<long>();
        activity.Id = $"{conversationId}|{seq.ToString("D7", CultureInfo.InvariantCulture)}";
        // Millisecond precision: Web Chat orders activities by their timestamp parsed with JavaScript's Date.
        var now = DateTimeOffset.UtcNow;
        activity.Timestamp = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        activity.ChannelId = DirectLineChannel.ChannelId;
        activity.Conversation ??= new ConversationAccount { Id = conversationId };

        var body = new JsonObject
        {
            ["seq"] = seq,
            ["activity"] = JsonSerializer.SerializeToNode(activity, BotFrameworkJson.Options),
        };
        await store.CreateAsync(Container, conversationId, ActivityDocId(seq), body, ActivityRetention, ct);

        var delivered = withSecret ?? activity;
        if (withSecret is not null)
        {
            (withSecret.Id, withSecret.Timestamp, withSecret.ChannelId) = (activity.Id, activity.Timestamp, activity.ChannelId);
            withSecret.Conversation ??= activity.Conversation;
        }
        var streamed = false;
        if (_listeners.TryGetValue(conversationId, out var listeners))
            foreach (var listener in listeners.Values)
                streamed |= listener.Writer.TryWrite((seq, delivered));
        if (withSecret is not null && !streamed) _secrets.Hold(conversationId, seq, withSecret);
        return activity;
    }

    /// <summary>
    /// Replaces a stored activity's text and submitted values with a placeholder (it held a secret); the id, sender and
    /// client id stay, so a replay still lines up. False when the activity is not stored (any more).
    /// </summary>
    public async Task<bool> RedactAsync(string conversationId, string activityId, CancellationToken ct)
    {
        var separator = activityId.LastIndexOf('|');
        if (separator < 0 || !long.TryParse(activityId.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)) return false;
        var document = await store.ReadAsync(Container, conversationId, ActivityDocId(seq), ct);
        if (document?.Body["activity"] is not JsonObject activity) return false;
        activity["text"] = RedactedText;
        activity.Remove("value");
        activity.Remove("attachments");
        activity.Remove("speak");
        await store.UpsertAsync(Container, conversationId, ActivityDocId(seq), document.Body, ActivityRetention, ct);
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
                var activity = doc.Body["activity"].Deserialize(BotFrameworkJson.Options.GetTypeInfo(typeof(Activity))) as Activity;
                if (activity is null) continue;
                var seq = doc.Body["seq"]!.GetValue<long>();
                activities.Add(_secrets.Take(conversationId, seq) ?? activity);
                last = Math.Max(last, seq);
            }
            continuation = page.ContinuationToken;
        } while (continuation is not null);
        return (activities, last);
    }

    /// <summary>Live activities of a conversation for a stream; dispose the subscription to stop.</summary>
    public Subscription Subscribe(string conversationId)
    {
        var channel = Channel.CreateBounded<(long, Activity)>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
        var key = Guid.NewGuid();
        _listeners.GetOrAdd(conversationId, _ => new()).TryAdd(key, channel);
        return new Subscription(channel.Reader, () =>
        {
            if (_listeners.TryGetValue(conversationId, out var listeners)) listeners.TryRemove(key, out _);
            channel.Writer.TryComplete();
        });
    }

    private static string ActivityDocId(long seq) => "a" + seq.ToString("D12", CultureInfo.InvariantCulture);

    public sealed class Subscription(ChannelReader<(long Seq, Activity Activity)> reader, Action dispose) : IDisposable
    {
        public ChannelReader<(long Seq, Activity Activity)> Reader { get; } = reader;
        public void Dispose() => dispose();
    }
}
