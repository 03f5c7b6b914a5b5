using System.Diagnostics;

namespace PartnerBot.Api.Telemetry;

/// <summary>
/// Carries a trace across the store: work written now (a deployment, an outbox item, an inbox input) keeps the W3C
/// <c>traceparent</c> of the span that wrote it, and the worker that picks it up later continues that trace.
/// </summary>
public static class TraceContext
{
    /// <summary>The <c>traceparent</c> of the current span, or null when nothing is being traced.</summary>
    public static string? Current() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;

    /// <summary>Starts a span whose parent is the stored <paramref name="traceParent"/> (a new trace when it is missing or unreadable).</summary>
    public static Activity? StartFrom(string name, string? traceParent, ActivityKind kind = ActivityKind.Internal)
    {
        if (traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent))
            return PartnerBotTelemetry.Source.StartActivity(name, kind, parent);
        return PartnerBotTelemetry.Source.StartActivity(name, kind);
    }
}
