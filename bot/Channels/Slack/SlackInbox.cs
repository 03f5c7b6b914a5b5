using System.Text.Json.Nodes;
using System.Threading.Channels;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Telemetry;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>A stored Slack input waiting for (or claimed for) processing.</summary>
/// <param name="TraceParent">The trace of the request that stored it; processing continues that trace.</param>
/// <param name="LeaseUntil">When this instance's claim on it runs out (Unix milliseconds).</param>
public sealed record SlackInboxItem(string Id, string Kind, JsonObject Payload, int Attempts, string ETag, string? TraceParent = null, long LeaseUntil = 0);

public static class SlackInboxKinds
{
    public const string Event = "event";
    public const string BlockActions = "block_actions";
    public const string SlashCommand = "command";
    public const string ViewClosed = "view_closed";
}

/// <summary>What became of an input offered to the inbox.</summary>
public enum SlackAdmission
{
    /// <summary>Stored and handed to this instance's worker.</summary>
    Stored,
    /// <summary>An input with this id is already stored (a redelivery).</summary>
    AlreadyStored,
    /// <summary>Not stored: this instance already holds its window of unfinished inputs and none finished in time.</summary>
    Busy,
}

/// <summary>
/// The durable queue between the 3-second ack and the work. An input is stored before the HTTP answer, already leased
/// to this instance, and handed straight to <see cref="SlackInboxWorker"/> in memory, so the common path costs one write
/// to store and one to finish, and no query. The worker also claims, with a lease, inputs another instance left behind
/// (stopped, or crashed and its lease expired). Events API callbacks are kept a day after processing, without their
/// payload, so a redelivered <c>event_id</c> is recognised and processed once.
/// </summary>
/// <remarks>
/// The backlog is bounded: an instance holds at most <see cref="Window"/> stored, unfinished inputs (<c>Slack:InboxWindow</c>). Past that an ack
/// waits up to <see cref="AdmissionWait"/> for a turn to finish, which paces senders to the rate turns complete; when
/// none finishes in time the input is not stored and the sender is told to come back (<see cref="SlackAdmission.Busy"/>).
/// </remarks>
public sealed class SlackInbox(IDocumentStore store, TimeProvider time, Microsoft.Extensions.Options.IOptions<SlackOptions> options)
{
    public const string Container = "slackInbox";
    public const string Partition = "inbox";
    internal const int MaxAttempts = 3;
    public static readonly TimeSpan AdmissionWait = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan DoneRetention = TimeSpan.FromDays(1);

    private readonly SemaphoreSlim slots = new(options.Value.InboxWindow, options.Value.InboxWindow);

    /// <summary>Stored, unfinished inputs this instance holds at most.</summary>
    public int Window { get; } = options.Value.InboxWindow;
    private readonly Channel<SlackInboxItem> handedOff = Channel.CreateUnbounded<SlackInboxItem>(new UnboundedChannelOptions { SingleReader = true });

    public static string EventItemId(string eventId) => "event-" + eventId;

    /// <summary>Inputs stored by this instance's acks, waiting for its worker (each holds a slot).</summary>
    public ChannelReader<SlackInboxItem> HandedOff => handedOff.Reader;

    /// <summary>Stored, unfinished inputs this instance holds now.</summary>
    public int Held => Window - slots.CurrentCount;

    /// <summary>Stores an input leased to this instance and hands it to the worker.</summary>
    public async Task<SlackAdmission> EnqueueAsync(string id, string kind, JsonObject payload, CancellationToken ct)
    {
        if (!await slots.WaitAsync(AdmissionWait, ct)) return SlackAdmission.Busy;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var traceParent = TraceContext.Current();
        var body = new JsonObject
        {
            ["kind"] = kind,
            ["status"] = "processing",
            ["enqueuedAt"] = now,
            ["leaseUntil"] = now + (long)Lease.TotalMilliseconds,
            ["attempts"] = 1,
            ["payload"] = payload,
            ["traceparent"] = traceParent,
        };
        try
        {
            var stored = await store.CreateAsync(Container, Partition, id, body, null, ct);
            handedOff.Writer.TryWrite(new SlackInboxItem(id, kind, payload, 1, stored.ETag, traceParent, now + (long)Lease.TotalMilliseconds));
            return SlackAdmission.Stored;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
            slots.Release();
            return SlackAdmission.AlreadyStored;
        }
        catch
        {
            slots.Release();
            throw;
        }
    }

    /// <summary>Takes a slot for an input the worker claims from the store; false when the window is full.</summary>
    public bool TryTakeSlot() => slots.Wait(0);

    /// <summary>Gives back the slot of an input that is finished (or given back) on this instance.</summary>
    public void ReleaseSlot() => slots.Release();

    /// <summary>
    /// Extends the lease of an input that waited here for half its lease, so no other instance takes it up while it
    /// runs; null when another instance has taken it meanwhile.
    /// </summary>
    public async Task<SlackInboxItem?> KeepAsync(SlackInboxItem item, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (item.LeaseUntil - now > (long)(Lease.TotalMilliseconds / 2)) return item;
        var current = await store.ReadAsync(Container, Partition, item.Id, ct);
        if (current is null || current.ETag != item.ETag) return null;
        var body = current.Body.DeepClone().AsObject();
        var leaseUntil = now + (long)Lease.TotalMilliseconds;
        body["leaseUntil"] = leaseUntil;
        try
        {
            var updated = await store.ReplaceAsync(Container, Partition, item.Id, body, item.ETag, null, ct);
            return item with { ETag = updated.ETag, LeaseUntil = leaseUntil };
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>Claims up to <paramref name="max"/> pending inputs (and ones whose lease expired) for <paramref name="lease"/>.</summary>
    public async Task<IReadOnlyList<SlackInboxItem>> ClaimAsync(int max, TimeSpan lease, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var candidates = new List<StoredDocument>();
        candidates.AddRange((await store.QueryAsync(Container, Partition, new DocumentQuery
        {
            Filters = [FieldFilter.Eq("/status", "pending")],
            OrderBy = "/enqueuedAt",
            PageSize = max,
        }, ct)).Items);
        if (candidates.Count < max)
        {
            candidates.AddRange((await store.QueryAsync(Container, Partition, new DocumentQuery
            {
                Filters = [FieldFilter.Eq("/status", "processing"), new FieldFilter("/leaseUntil", FilterOperator.LessThan, now)],
                OrderBy = "/enqueuedAt",
                PageSize = max - candidates.Count,
            }, ct)).Items);
        }

        var claimed = new List<SlackInboxItem>();
        foreach (var document in candidates)
        {
            var body = document.Body.DeepClone().AsObject();
            var attempts = (body["attempts"]?.GetValue<int>() ?? 0) + 1;
            body["status"] = "processing";
            body["attempts"] = attempts;
            body["leaseUntil"] = now + (long)lease.TotalMilliseconds;
            try
            {
                var updated = await store.ReplaceAsync(Container, Partition, document.Id, body, document.ETag, null, ct);
                claimed.Add(new SlackInboxItem(document.Id, body["kind"]?.GetValue<string>() ?? "",
                    body["payload"] as JsonObject ?? new JsonObject(), attempts, updated.ETag, (string?)body["traceparent"],
                    now + (long)lease.TotalMilliseconds));
            }
            catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.NotFound)
            {
                // Another worker claimed it first.
            }
        }
        return claimed;
    }

    /// <summary>Marks an input processed. Events stay a day (without their payload) so redeliveries are recognised.</summary>
    public async Task CompleteAsync(SlackInboxItem item, CancellationToken ct)
    {
        if (item.Kind != SlackInboxKinds.Event)
        {
            await store.DeleteAsync(Container, Partition, item.Id, null, ct);
            return;
        }
        await FinishAsync(item, "done", null, DoneRetention, ct);
    }

    /// <summary>
    /// Marks an input that could not be processed; it is kept (without its payload) for inspection for
    /// <c>Slack:Inbox:DeadRetention</c>, after which the store drops it, and is never retried.
    /// </summary>
    public Task FailAsync(SlackInboxItem item, string reason, CancellationToken ct) =>
        FinishAsync(item, "failed", reason, options.Value.Inbox.DeadRetention, ct);

    /// <summary>Gives a claimed input back (the host is stopping), so the next start processes it.</summary>
    public async Task ReleaseAsync(SlackInboxItem item, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["kind"] = item.Kind,
            ["status"] = "pending",
            ["enqueuedAt"] = 0L,
            ["leaseUntil"] = 0L,
            ["attempts"] = item.Attempts - 1,
            ["payload"] = item.Payload.DeepClone(),
        };
        var current = await store.ReadAsync(Container, Partition, item.Id, ct);
        if (current?.Body["enqueuedAt"] is { } enqueuedAt) body["enqueuedAt"] = enqueuedAt.DeepClone();
        await store.ReplaceAsync(Container, Partition, item.Id, body, item.ETag, null, ct);
    }

    private async Task FinishAsync(SlackInboxItem item, string status, string? reason, TimeSpan retention, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["kind"] = item.Kind,
            ["status"] = status,
            ["finishedAt"] = time.GetUtcNow().ToUnixTimeMilliseconds(),
            ["attempts"] = item.Attempts,
        };
        if (reason is not null) body["reason"] = reason;
        await store.ReplaceAsync(Container, Partition, item.Id, body, item.ETag, new DocumentOptions(retention), ct);
    }
}
