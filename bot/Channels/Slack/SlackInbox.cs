using System.Text.Json.Nodes;
using System.Threading.Channels;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Telemetry;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>A stored Slack input waiting for (or claimed for) processing.</summary>
/// <param name="TraceParent">The trace of the request that stored it; processing continues that trace.</param>
public sealed record SlackInboxItem(string Id, string Kind, JsonObject Payload, int Attempts, string ETag, string? TraceParent = null);

public static class SlackInboxKinds
{
    public const string Event = "event";
    public const string BlockActions = "block_actions";
    public const string SlashCommand = "command";
    public const string ViewClosed = "view_closed";
}

/// <summary>
/// The durable queue between the 3-second ack and the work: inputs are stored before the HTTP answer, claimed with a
/// lease by <see cref="SlackInboxWorker"/>, and kept after processing for a day when they are Events API callbacks, so a
/// redelivered <c>event_id</c> is recognised and processed once.
/// </summary>
public sealed class SlackInbox(IDocumentStore store, TimeProvider time)
{
    public const string Container = "slackInbox";
    public const string Partition = "inbox";
    internal const int MaxAttempts = 3;
    private static readonly TimeSpan DoneRetention = TimeSpan.FromDays(1);
    private static readonly TimeSpan FailedRetention = TimeSpan.FromDays(7);

    private readonly Channel<bool> wakeUp = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public static string EventItemId(string eventId) => "event-" + eventId;

    /// <summary>Stores an input; false when an input with this id is already stored (a redelivery).</summary>
    /// <remarks>
    /// Inserts go through one writer at a time: concurrent SQLite writers otherwise wait in SQLite's sleeping busy
    /// handler, which turns a burst of acks into a long tail.
    /// </remarks>
    public async Task<bool> EnqueueAsync(string id, string kind, JsonObject payload, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["kind"] = kind,
            ["status"] = "pending",
            ["enqueuedAt"] = time.GetUtcNow().ToUnixTimeMilliseconds(),
            ["leaseUntil"] = 0L,
            ["attempts"] = 0,
            ["payload"] = payload,
            ["traceparent"] = TraceContext.Current(),
        };
        var write = new PendingWrite(id, body);
        writes.Writer.TryWrite(write);
        EnsureWriter();
        var stored = await write.Done.Task.WaitAsync(ct);
        if (stored) wakeUp.Writer.TryWrite(true);
        return stored;
    }

    private sealed record PendingWrite(string Id, JsonObject Body)
    {
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Channel<PendingWrite> writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private int writerActive;

    private void EnsureWriter()
    {
        if (Interlocked.CompareExchange(ref writerActive, 1, 0) == 0) _ = Task.Run(DrainWritesAsync);
    }

    private async Task DrainWritesAsync()
    {
        while (true)
        {
            while (writes.Reader.TryRead(out var write))
            {
                try
                {
                    await store.CreateAsync(Container, Partition, write.Id, write.Body, null, CancellationToken.None);
                    write.Done.TrySetResult(true);
                }
                catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
                {
                    write.Done.TrySetResult(false);
                }
                catch (Exception e)
                {
                    write.Done.TrySetException(e);
                }
            }
            Volatile.Write(ref writerActive, 0);
            // A write queued between the last read and the reset would otherwise wait for the next enqueue.
            if (!writes.Reader.TryPeek(out _) || Interlocked.CompareExchange(ref writerActive, 1, 0) != 0) return;
        }
    }

    /// <summary>Waits until something was enqueued here or <paramref name="timeout"/> passes.</summary>
    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await wakeUp.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Poll interval elapsed: look for work left by another instance or a crashed one.
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
                    body["payload"] as JsonObject ?? new JsonObject(), attempts, updated.ETag, (string?)body["traceparent"]));
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

    /// <summary>Marks an input that could not be processed; it is kept a week (without its payload) for inspection and never retried.</summary>
    public Task FailAsync(SlackInboxItem item, string reason, CancellationToken ct) => FinishAsync(item, "failed", reason, FailedRetention, ct);

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
