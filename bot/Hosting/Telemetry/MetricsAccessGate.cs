using System.Net;
using Microsoft.Extensions.Options;

namespace PartnerBot.Bot.Hosting.Telemetry;

/// <summary>
/// Who may read <c>GET /metrics</c>: in Development anyone (unless networks are listed); elsewhere only callers whose
/// address is in <c>Telemetry:Prometheus:AllowedNetworks</c>. Others get a 403 problem.
/// </summary>
public sealed class MetricsAccessGate(IOptions<TelemetryOptions> options, ILogger<MetricsAccessGate> logger)
{
    public bool Allows(IPAddress? caller)
    {
        var networks = options.Value.Networks;
        if (networks.Count == 0) return options.Value.IsDevelopment;
        if (caller is null) return false;
        if (caller.IsIPv4MappedToIPv6) caller = caller.MapToIPv4();
        return networks.Any(n => n.Contains(caller));
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (Allows(context.Connection.RemoteIpAddress))
        {
            await next(context);
            return;
        }
        logger.LogWarning("Refused GET {Path} to {Caller}: not in Telemetry:Prometheus:AllowedNetworks", TelemetryOptions.MetricsPath,
            context.Connection.RemoteIpAddress);
        await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: "Metrics are served only to the networks listed in Telemetry:Prometheus:AllowedNetworks.").ExecuteAsync(context);
    }
}
