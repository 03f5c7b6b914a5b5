using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Telemetry;

namespace PartnerBot.Api.Deployments;

/// <summary>The <c>Deployments:Outbox</c> configuration section.</summary>
public sealed class OutboxOptions
{
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>How long a claimed item is hidden from other dispatchers while it is being delivered.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Deliveries tried before an item is set aside as dead (kept for inspection).</summary>
    public int MaxAttempts { get; set; } = 30;
    /// <summary>How long a dead item is kept for inspection before the store drops it (<c>Deployments:Outbox:DeadRetention</c>).</summary>
    public TimeSpan DeadRetention { get; set; } = TimeSpan.FromDays(14);

    public string? Problem() =>
        DeadRetention < TimeSpan.FromSeconds(1) || DeadRetention > TimeSpan.FromDays(3650)
            ? "Deployments:Outbox:DeadRetention must be between 00:00:01 and 3650 days."
            : MaxAttempts < 1 ? "Deployments:Outbox:MaxAttempts must be at least 1." : null;
}

/// <summary>
/// Delivers outbox items to <see cref="IDeploymentStatusNotifier"/> at least once: claim (replace-if-match with a lease),
/// deliver, delete; the items of one deployment in order, one at a time. A failure reschedules with exponential backoff; a dispatcher that dies leaves its claim to expire,
/// after which any dispatcher over the same store delivers the item.
/// </summary>
public sealed class OutboxDispatcher(
    IDocumentStore store,
    DeploymentRepository deployments,
    IDeploymentStatusNotifier notifier,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);
    private readonly HashSet<string> _delivered = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextSweep = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (clock.GetUtcNow() >= nextSweep)
                {
                    await RepublishPendingAsync(stoppingToken);
                    nextSweep = clock.GetUtcNow() + SweepInterval;
                }
                while (await DispatchDueAsync(stoppingToken) > 0) { }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Dispatching deployment notifications failed; retrying shortly.");
            }
            try { await Task.Delay(options.Value.PollInterval, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Writes outbox items for state changes whose follow-up write was lost (e.g. the host stopped in between).</summary>
    public async Task<int> RepublishPendingAsync(CancellationToken ct)
    {
        var pending = await deployments.ScanAsync([FieldFilter.Eq("/outboxPending", true)], null, 500, ct);
        foreach (var deployment in pending) await deployments.PublishAsync(deployment, ct);
        return pending.Count;
    }

    /// <summary>Delivers the items that are due now; returns how many were handled (delivered or rescheduled).</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var page = await store.QueryAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, new DocumentQuery
        {
            Filters = [FieldFilter.Eq("/dead", false), new FieldFilter("/dueAtMs", FilterOperator.LessThanOrEqual, now)],
            OrderBy = "/dueAtMs",
            PageSize = 20,
        }, ct);

        var handled = 0;
        foreach (var document in page.Items)
            if (await DispatchOneAsync(document, ct)) handled++;
        return handled;
    }

    private async Task<bool> DispatchOneAsync(StoredDocument document, CancellationToken ct)
    {
        var item = StoreJson.FromBody<OutboxItem>(document.Body);
        var id = document.Id;
        if (_delivered.Contains(id))
        {
            await DeleteAsync(id, null, ct);
            return true;
        }

        if (await DeferBehindEarlierAsync(document, item, ct)) return true;

        var lease = options.Value.LeaseDuration;
        StoredDocument claimed;
        try
        {
            var claim = item with { DueAtMs = clock.GetUtcNow().Add(lease).ToUnixTimeMilliseconds() };
            claimed = await store.ReplaceAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, id, StoreJson.ToBody(claim),
                document.ETag, ct: ct);
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.NotFound)
        {
            return false; // Another dispatcher has it.
        }

        using var activity = TraceContext.StartFrom("outbox.deliver", item.TraceParent, ActivityKind.Producer);
        activity?.SetTag(PartnerBotTelemetry.Tags.DeploymentId, item.Change.DeploymentId);
        activity?.SetTag(PartnerBotTelemetry.Tags.DeploymentState, item.Change.State.ToString());
        activity?.SetTag("partnerbot.outbox.attempt", item.Attempts + 1);
        if (item.Change.Conversation is JsonObject { } conversation && conversation["channel"] is JsonValue value && value.TryGetValue<string>(out var channel))
            activity?.SetTag(PartnerBotTelemetry.Tags.Channel, channel);
        try
        {
            await notifier.NotifyAsync(item.Change, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            await RescheduleAsync(id, item, claimed.ETag, e, ct);
            return true;
        }

        Remember(id);
        await DeleteAsync(id, claimed.ETag, ct);
        logger.LogDebug("Delivered notification {NotificationId}.", id);
        return true;
    }

    /// <summary>
    /// One deployment's updates go out one at a time and in order, also across instances: while an earlier one is still
    /// owed (being delivered by another dispatcher, or waiting for its retry), this one is moved behind it. Two at once
    /// would both render the card's latest state and send it twice.
    /// </summary>
    private async Task<bool> DeferBehindEarlierAsync(StoredDocument document, OutboxItem item, CancellationToken ct)
    {
        var earlier = await store.QueryAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, new DocumentQuery
        {
            Filters =
            [
                FieldFilter.Eq("/change/deploymentId", item.Change.DeploymentId),
                FieldFilter.Lt("/change/sequence", item.Change.Sequence),
                FieldFilter.Eq("/dead", false),
            ],
            PageSize = 50,
        }, ct);
        if (earlier.Items.Count == 0) return false;
        var after = earlier.Items.Max(d => StoreJson.FromBody<OutboxItem>(d.Body).DueAtMs);
        var due = Math.Max(after, clock.GetUtcNow().Add(options.Value.PollInterval).ToUnixTimeMilliseconds()) + 1;
        try
        {
            await store.ReplaceAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, document.Id,
                StoreJson.ToBody(item with { DueAtMs = due }), document.ETag, ct: ct);
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.NotFound)
        {
            // Another dispatcher moved or took it.
        }
        return true;
    }

    private async Task RescheduleAsync(string id, OutboxItem item, string etag, Exception error, CancellationToken ct)
    {
        var attempts = item.Attempts + 1;
        var dead = attempts >= options.Value.MaxAttempts;
        var delay = RetryDelay(attempts, options.Value.FirstRetryDelay, options.Value.MaxRetryDelay);
        logger.LogWarning(error, "Notification {NotificationId} failed (attempt {Attempts}); {Next}.", id, attempts,
            dead ? "giving up" : $"retrying in {delay}");
        var next = item with
        {
            Attempts = attempts,
            DueAtMs = clock.GetUtcNow().Add(delay).ToUnixTimeMilliseconds(),
            LastError = error.GetType().Name + ": " + error.Message,
            Dead = dead,
        };
        try
        {
            // A dead item stays for inspection, then the store's TTL drops it: dead items never pile up for ever.
            await store.ReplaceAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, id, StoreJson.ToBody(next), etag,
                dead ? new DocumentOptions(options.Value.DeadRetention) : null, ct);
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.NotFound)
        {
            // The claim expired and someone else took the item over.
        }
    }

    /// <summary>first × 2^(attempt-1), capped.</summary>
    public static TimeSpan RetryDelay(int attempt, TimeSpan first, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        var delay = TimeSpan.FromMilliseconds(Math.Min(first.TotalMilliseconds * factor, max.TotalMilliseconds));
        return delay;
    }

    private async Task DeleteAsync(string id, string? etag, CancellationToken ct)
    {
        try
        {
            await store.DeleteAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, id, etag, ct);
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.NotFound)
        {
            // Gone already, or re-claimed after our lease expired; the delivered-set stops a second delivery from here.
        }
    }

    private void Remember(string id)
    {
        if (_delivered.Count > 10_000) _delivered.Clear();
        _delivered.Add(id);
    }
}
