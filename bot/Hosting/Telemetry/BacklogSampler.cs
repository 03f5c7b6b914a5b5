using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Support;
using PartnerBot.Api.Telemetry;
using PartnerBot.Bot.Channels.Slack;

namespace PartnerBot.Bot.Hosting.Telemetry;

/// <summary>
/// Counts what waits in the durable queues every <c>Telemetry:BacklogInterval</c> and reports it as the observable
/// gauge <c>partnerbot.inbox.backlog</c> (queue: slack, outbox, support). Counting is a store query, so it runs on
/// this timer, never inside a scrape. Every instance reports the same shared backlog: read it with max, not sum.
/// </summary>
public sealed class BacklogSampler(IDocumentStore store, IOptions<TelemetryOptions> options, ILogger<BacklogSampler> logger)
    : BackgroundService
{
    public const string Slack = "slack";
    public const string Outbox = "outbox";
    public const string Support = "support";

    /// <summary>Counting stops here: a backlog this large needs attention whatever its exact size.</summary>
    private const int MaxCounted = 10_000;

    private static readonly ConcurrentDictionary<string, long> Latest = new();

    private static readonly ObservableGauge<long> Gauge = PartnerBotTelemetry.Meter.CreateObservableGauge(
        PartnerBotTelemetry.InboxBacklog,
        () => Latest.Select(kv => new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("queue", kv.Key))),
        "{item}", "Items waiting in a durable queue (slack inbox, deployment outbox, support deliveries).");

    /// <summary>The last counts (tests read them to know a sample was taken).</summary>
    public static IReadOnlyDictionary<string, long> LastSample => Latest;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = Gauge; // created with the first sampler
        using var timer = new PeriodicTimer(options.Value.BacklogInterval);
        do
        {
            try
            {
                await SampleAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Counting the queue backlogs failed; the gauge keeps the last counts.");
            }
        } while (await WaitAsync(timer, stoppingToken));
    }

    public async Task SampleAsync(CancellationToken ct)
    {
        Latest[Slack] = await CountAsync(SlackInbox.Container, SlackInbox.Partition,
            [FieldFilter.In("/status", "pending", "processing")], null, ct);
        Latest[Outbox] = await CountAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, [FieldFilter.Eq("/dead", false)], null, ct);
        Latest[Support] = await CountAsync(TicketStore.Container, null, [FieldFilter.Gt("/pendingCount", 0)], "/pendingCount", ct);
    }

    /// <summary>Matching documents, or the sum of <paramref name="sumPath"/> over them (a ticket owes several deliveries).</summary>
    private async Task<long> CountAsync(string container, string? partition, IReadOnlyList<FieldFilter> filters, string? sumPath,
        CancellationToken ct)
    {
        long total = 0;
        var documents = 0;
        string? continuation = null;
        do
        {
            var page = await store.QueryAsync(container, partition,
                new DocumentQuery { Filters = filters, PageSize = 1000, ContinuationToken = continuation }, ct);
            foreach (var item in page.Items)
                total += sumPath is null ? 1
                    : item.Body[sumPath.TrimStart('/')] is JsonValue value && value.TryGetValue<long>(out var owed) ? owed : 1;
            documents += page.Items.Count;
            continuation = page.ContinuationToken;
        } while (continuation is not null && documents < MaxCounted);
        return total;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
