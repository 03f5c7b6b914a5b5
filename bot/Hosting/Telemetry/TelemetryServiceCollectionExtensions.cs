using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PartnerBot.Api.Telemetry;

namespace PartnerBot.Bot.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry for the host: PartnerBot's own spans and instruments (<see cref="PartnerBotTelemetry"/>), ASP.NET Core
/// and HttpClient instrumentation, OTLP export (and, only then, spans) when <c>Telemetry:Otlp:Endpoint</c> is set, and the Prometheus
/// scraping endpoint <c>GET /metrics</c> when <c>Telemetry:Prometheus:Enabled</c>.
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddPartnerBotTelemetry(this IServiceCollection services, IConfiguration configuration,
        IHostEnvironment environment)
    {
        services.AddOptions<TelemetryOptions>()
            .Configure<IConfiguration, IHostEnvironment>((o, c, e) => TelemetryOptions.Bind(o, c, e))
            .ValidateWith(TelemetryOptions.Validate);
        services.AddSingleton<MetricsAccessGate>();
        services.AddHostedService<BacklogSampler>();

        // Exporters are chosen when the host is built, so the section is read here too (and validated at start-up).
        var settings = new TelemetryOptions();
        TelemetryOptions.Bind(settings, configuration, environment);
        var otlp = settings.OtlpUri is { Scheme: "http" or "https" } ? settings.OtlpUri : null;

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(serviceName: "partnerbot", serviceInstanceId: Environment.MachineName + "-" + Environment.ProcessId));
        // Spans are recorded only when they go somewhere: without an exporter, every request, turn and store call would
        // build its spans and their tags only for them to be dropped.
        if (otlp is not null)
            telemetry.WithTracing(tracing => tracing.AddSource(PartnerBotTelemetry.Name)
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = context => !IsProbe(context.Request.Path);
                    o.EnrichWithHttpRequest = (activity, _) => activity.SetTag("url.query", null);
                })
                .AddHttpClientInstrumentation(o =>
                {
                    // Only the exporter's own calls are left out (they would trace themselves).
                    o.FilterHttpRequestMessage = request => request.RequestUri?.Authority != otlp.Authority;
                    o.EnrichWithHttpRequestMessage = (activity, request) =>
                    {
                        if (request.RequestUri is { } uri) activity.SetTag("url.full", uri.GetLeftPart(UriPartial.Path));
                    };
                })
                .AddOtlpExporter(o => ConfigureOtlp(o, otlp, settings.OtlpProtocol, "v1/traces")));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(PartnerBotTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation();
            foreach (var dropped in DroppedInstruments) metrics.AddView(dropped, MetricStreamConfiguration.Drop);
            if (otlp is not null) metrics.AddOtlpExporter(o => ConfigureOtlp(o, otlp, settings.OtlpProtocol, "v1/metrics"));
            if (settings.PrometheusEnabled) metrics.AddPrometheusExporter();
        });
        return services;
    }

    /// <summary>
    /// Instruments of ASP.NET Core and HttpClient that are left off: each is measured on every request (a gauge moved
    /// up and down, a counter per route match or memory-pool rent), a cost a Teams turn pays about six times over, and
    /// none tells what the request durations do not (their counts are the requests, their sums the time).
    /// A dropped instrument is never enabled, so its callers skip the measurement.
    /// </summary>
    public static readonly IReadOnlyList<string> DroppedInstruments =
    [
        "http.server.active_requests",
        "http.client.active_requests",
        "http.client.request.time_in_queue",
        "aspnetcore.routing.match_attempts",
        "aspnetcore.memory_pool.*",
    ];

    /// <summary>Maps <c>GET /metrics</c> (Prometheus text) behind <see cref="MetricsAccessGate"/>, when enabled.</summary>
    public static WebApplication MapPartnerBotMetrics(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value.PrometheusEnabled) return app;
        var gate = app.Services.GetRequiredService<MetricsAccessGate>();
        app.MapPrometheusScrapingEndpoint(TelemetryOptions.MetricsPath, meterProvider: null,
            configureBranchedPipeline: branch => branch.Use(gate.InvokeAsync), optionsName: null);
        return app;
    }

    private static void ConfigureOtlp(OtlpExporterOptions options, Uri endpoint, string protocol, string signalPath)
    {
        if (protocol == TelemetryOptions.HttpProtobufProtocol)
        {
            options.Protocol = OtlpExportProtocol.HttpProtobuf;
            // Set in code, the endpoint is used as given: the signal's path is added here, as the OTLP environment variables would.
            options.Endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath);
        }
        else
        {
            options.Protocol = OtlpExportProtocol.Grpc;
            options.Endpoint = endpoint;
        }
    }

    /// <summary>Probes and scrapes are not traced: a load balancer polls them every few seconds.</summary>
    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments(TelemetryOptions.MetricsPath);
}
