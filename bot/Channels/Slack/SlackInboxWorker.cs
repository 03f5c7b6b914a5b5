using PartnerBot.Api.Telemetry;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>
/// Drains <see cref="SlackInbox"/>: claims inputs in batches, woken at once by new work, polling for leftovers. Turns of
/// different people run side by side; turns of one person's dialog state still run one at a time (the bot's gates).
/// </summary>
public sealed class SlackInboxWorker(SlackInbox inbox, SlackTurnProcessor processor, ILogger<SlackInboxWorker> log) : BackgroundService
{
    internal const int MaxConcurrentTurns = 32;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                running.RemoveAll(t => t.IsCompleted);
                var free = MaxConcurrentTurns - running.Count;
                var claimed = 0;
                if (free > 0)
                {
                    try
                    {
                        foreach (var item in await inbox.ClaimAsync(free, Lease, stoppingToken))
                        {
                            running.Add(ProcessAsync(item, stoppingToken));
                            claimed++;
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        log.LogError(e, "Slack inbox could not be read; retrying");
                    }
                }
                if (claimed > 0 && running.Count < MaxConcurrentTurns) continue;

                var wait = inbox.WaitForWorkAsync(PollInterval, stoppingToken);
                if (running.Count >= MaxConcurrentTurns) await Task.WhenAny(running.Append(wait));
                else await wait;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        await Task.WhenAll(running);
    }

    private async Task ProcessAsync(SlackInboxItem item, CancellationToken stoppingToken)
    {
        await Task.Yield();
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
