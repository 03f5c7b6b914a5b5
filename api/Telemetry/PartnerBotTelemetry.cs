using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PartnerBot.Api.Telemetry;

/// <summary>
/// The one activity source and meter of PartnerBot, and its instruments. Instrument names and tag names are fixed
/// (dashboards rely on them; see docs/operations.md). Tags carry channels, routes, states and ids, never inputs,
/// tokens or message text.
/// </summary>
public static class PartnerBotTelemetry
{
    public const string Name = "PartnerBot";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Turns = Meter.CreateCounter<long>("partnerbot.turns", "{turn}", "Turns handled, by channel and route.");

    public static readonly Histogram<double> TurnDuration = Meter.CreateHistogram<double>("partnerbot.turn.duration", "s",
        "How long a turn took, by channel.", tags: null, Buckets(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30));

    public static readonly Counter<long> Deployments = Meter.CreateCounter<long>("partnerbot.deployments", "{transition}",
        "Deployment state changes, by the state entered.");

    public static readonly Histogram<double> DeploymentDuration = Meter.CreateHistogram<double>("partnerbot.deployment.duration", "s",
        "How long one run of a deployment took, by action (apply, update, destroy) and step (plan, apply).", tags: null,
        Buckets(1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200));

    public static readonly Counter<double> Credits = Meter.CreateCounter<double>("partnerbot.credits", "{credit}",
        "Credits moved, by kind: charged, refunded, purchased, granted.");

    public static readonly Histogram<double> StoreOperationDuration = Meter.CreateHistogram<double>("partnerbot.store.operation.duration", "s",
        "How long a document store call took, by operation and store.", tags: null,
        Buckets(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5));

    /// <summary>
    /// Bucket boundaries in seconds for a histogram. Without them an exporter uses OpenTelemetry's defaults (0, 5, 10,
    /// 25, ... 10000), made for milliseconds: every turn and store call would land in the first bucket.
    /// </summary>
    private static InstrumentAdvice<double> Buckets(params double[] seconds) => new() { HistogramBucketBoundaries = seconds };

    /// <summary>The name of the backlog gauge; it is created by the host that samples the queues.</summary>
    public const string InboxBacklog = "partnerbot.inbox.backlog";

    /// <summary>Tag names.</summary>
    public static class Tags
    {
        public const string Channel = "partnerbot.channel";
        public const string Route = "partnerbot.route";
        public const string DeploymentId = "partnerbot.deployment.id";
        public const string DeploymentAction = "partnerbot.deployment.action";
        public const string DeploymentStep = "partnerbot.deployment.step";
        public const string DeploymentState = "partnerbot.deployment.state";
        public const string Module = "partnerbot.module";
    }
}
