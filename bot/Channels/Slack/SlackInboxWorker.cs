using PartnerBot.Api.Telemetry;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>
/// Runs the turns of <see cref="SlackInbox"/>: the inputs this instance's acks handed over, and, every
/// <see cref="PollInterval"/>, inputs another instance left behind. Turns of different people run side by side, up to
/// <see cref="MaxConcurrentTurns"/> at once; turns of one person's dialog state still run one at a time (the bot's gates).
/// </summary>
public sealed class SlackInboxWorker(SlackInbox inbox, SlackTurnProcessor processor, ILogger<SlackInboxWorker> log) : BackgroundService
{
    /// <remarks>
    /// A turn waiting for the person's earlier turn holds its slot too, so the cap counts waiting turns as well as running
    /// ones: with 97 people in one channel, 64 slots ran 11–14% fewer turns per second than 256, and 16 slots 18–23% fewer
    /// than 64 (<c>bench/alternate.sh slack</c>), while the window (<see cref="SlackOptions.InboxWindow"/>) still bounds what is held.
    /// </remarks>
    internal const int MaxConcurrentTurns = 256;
    private const int MaxClaim = 32;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim running = new(MaxConcurrentTurns, MaxConcurrentTurns);
    private readonly HashSet<Task> inFlight = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var handedOff = ReadHandedOffAsync(stoppingToken);
        var leftovers = ClaimLeftoversAsync(stoppingToken);
        await Task.WhenAll(handedOff, leftovers);
        while (inbox.HandedOff.TryRead(out var waiting)) Track(GiveBackAsync(waiting));
        Task[] remaining;
        lock (inFlight) remaining = [.. inFlight];
        await Task.WhenAll(remaining);
    }

    private async Task ReadHandedOffAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var item in inbox.HandedOff.ReadAllAsync(stoppingToken)) Track(RunAsync(item, stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still waiting is given back by ExecuteAsync.
        }
    }

    private async Task ClaimLeftoversAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var slots = 0;
                while (slots < MaxClaim && inbox.TryTakeSlot()) slots++;
                try
                {
                    var claimed = slots == 0 ? [] : await inbox.ClaimAsync(slots, SlackInbox.Lease, stoppingToken);
                    foreach (var item in claimed) Track(RunAsync(item, stoppingToken));
                    for (var unused = slots - claimed.Count; unused > 0; unused--) inbox.ReleaseSlot();
                    if (claimed.Count == MaxClaim) continue;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    for (; slots > 0; slots--) inbox.ReleaseSlot();
                    log.LogError(e, "Slack inbox could not be read; retrying");
                }
                await Task.Delay(PollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void Track(Task task)
    {
        lock (inFlight) inFlight.Add(task);
        task.ContinueWith(t => { lock (inFlight) inFlight.Remove(t); }, TaskScheduler.Default);
    }

    /// <summary>Runs one input's turn and gives back its slot; never throws.</summary>
    private async Task RunAsync(SlackInboxItem item, CancellationToken stoppingToken)
    {
        try
        {
            await running.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            await GiveBackAsync(item);
            return;
        }
        try
        {
            await ProcessAsync(item, stoppingToken);
        }
        finally
        {
            running.Release();
            inbox.ReleaseSlot();
        }
    }

    private async Task ProcessAsync(SlackInboxItem item, CancellationToken stoppingToken)
    {
        using var activity = TraceContext.StartFrom("slack.inbox.process", item.TraceParent, System.Diagnostics.ActivityKind.Consumer);
        activity?.SetTag(PartnerBotTelemetry.Tags.Channel, "slack");
        activity?.SetTag("partnerbot.inbox.kind", item.Kind);
        try
        {
            if (item.Attempts > SlackInbox.MaxAttempts)
            {
                log.LogError("Slack inbox item {Id} was interrupted {Attempts} times; giving up", item.Id, item.Attempts - 1);
                await inbox.FailAsync(item, "interrupted too often", CancellationToken.None);
                return;
            }
            if (await inbox.KeepAsync(item, stoppingToken) is not { } kept)
            {
                log.LogInformation("Slack inbox item {Id} waited past its lease and was taken up elsewhere", item.Id);
                return;
            }
            item = kept;
            await processor.ProcessAsync(item, stoppingToken);
            await inbox.CompleteAsync(item, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await ReleaseQuietlyAsync(item);
        }
        catch (Exception e)
        {
            log.LogError(e, "Slack inbox item {Id} failed", item.Id);
            try { await inbox.FailAsync(item, e.GetType().Name, CancellationToken.None); }
            catch (Exception storeError) { log.LogError(storeError, "Slack inbox item {Id} could not be marked failed", item.Id); }
        }
    }

    /// <summary>An input that never started here: stored again as pending for the next start (or another instance).</summary>
    private async Task GiveBackAsync(SlackInboxItem item)
    {
        try
        {
            await ReleaseQuietlyAsync(item);
        }
        finally
        {
            inbox.ReleaseSlot();
        }
    }

    private async Task ReleaseQuietlyAsync(SlackInboxItem item)
    {
        try
        {
            await inbox.ReleaseAsync(item, CancellationToken.None);
            log.LogInformation("Slack inbox item {Id} released for the next start", item.Id);
        }
        catch (Exception e)
        {
            // Its lease expires and the next start takes it up again.
            log.LogWarning(e, "Slack inbox item {Id} could not be released", item.Id);
        }
    }
}
