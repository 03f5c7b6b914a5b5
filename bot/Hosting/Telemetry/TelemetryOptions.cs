using System.Net;

namespace PartnerBot.Bot.Hosting.Telemetry;

/// <summary>The <c>Telemetry</c> section: where traces and metrics go.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary><c>Telemetry:Otlp:Endpoint</c>: the OTLP receiver (a collector); unset exports nothing by OTLP.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>Telemetry:Otlp:Protocol</c>: <c>grpc</c> (default, usually port 4317) or <c>http/protobuf</c> (4318).</summary>
    public string OtlpProtocol { get; set; } = GrpcProtocol;

    /// <summary><c>Telemetry:Prometheus:Enabled</c>: serve <c>GET /metrics</c>; default on in Development, elsewhere on when networks are listed.</summary>
    public bool PrometheusEnabled { get; set; }

    /// <summary><c>Telemetry:Prometheus:AllowedNetworks</c>: CIDR ranges (or single addresses) that may read <c>/metrics</c> outside Development.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary><c>Telemetry:BacklogInterval</c>: how often the queue backlogs are counted (default 15 s).</summary>
    public TimeSpan BacklogInterval { get; set; } = TimeSpan.FromSeconds(15);

    public bool IsDevelopment { get; set; }

    public const string GrpcProtocol = "grpc";
    public const string HttpProtobufProtocol = "http/protobuf";
    public const string MetricsPath = "/metrics";

    public Uri? OtlpUri => Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) ? uri : null;

    public IReadOnlyList<IPNetwork> Networks => AllowedNetworks.Select(ParseNetwork).OfType<IPNetwork>().ToList();

    public static void Bind(TelemetryOptions options, IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection(Section);
        options.IsDevelopment = environment.IsDevelopment();
        options.OtlpEndpoint = section["Otlp:Endpoint"] is { Length: > 0 } endpoint ? endpoint : null;
        options.OtlpProtocol = section["Otlp:Protocol"] is { Length: > 0 } protocol ? protocol.Trim().ToLowerInvariant() : GrpcProtocol;
        options.AllowedNetworks = ReadList(section.GetSection("Prometheus:AllowedNetworks"));
        options.PrometheusEnabled = bool.TryParse(section["Prometheus:Enabled"], out var enabled)
            ? enabled
            : options.IsDevelopment || options.AllowedNetworks.Count > 0;
        if (TimeSpan.TryParse(section["BacklogInterval"], System.Globalization.CultureInfo.InvariantCulture, out var interval))
            options.BacklogInterval = interval;
    }

    public static string? Validate(TelemetryOptions options)
    {
        if (options.OtlpEndpoint is { } endpoint && (options.OtlpUri is not { } uri || uri.Scheme is not ("http" or "https")))
            return $"Telemetry:Otlp:Endpoint: '{endpoint}' is not an absolute http(s) URL.";
        if (options.OtlpProtocol is not (GrpcProtocol or HttpProtobufProtocol))
            return $"Telemetry:Otlp:Protocol: '{options.OtlpProtocol}' is neither {GrpcProtocol} nor {HttpProtobufProtocol}.";
        if (options.AllowedNetworks.FirstOrDefault(n => ParseNetwork(n) is null) is { } bad)
            return $"Telemetry:Prometheus:AllowedNetworks: '{bad}' is not an address or a CIDR range (e.g. 10.0.0.0/8).";
        if (options.PrometheusEnabled && !options.IsDevelopment && options.AllowedNetworks.Count == 0)
            return "Telemetry:Prometheus:AllowedNetworks must list the scrapers' networks when Telemetry:Prometheus:Enabled is true outside Development.";
        if (options.BacklogInterval < TimeSpan.FromSeconds(1))
            return $"Telemetry:BacklogInterval: {options.BacklogInterval} is shorter than a second.";
        return null;
    }

    /// <summary>A list given as array entries, or as one comma-separated value (handy in an environment variable).</summary>
    private static List<string> ReadList(IConfigurationSection section)
    {
        var entries = section.GetChildren().Select(c => c.Value).Append(section.Value)
            .Where(v => !string.IsNullOrWhiteSpace(v))
            .SelectMany(v => v!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return entries.ToList();
    }

    private static IPNetwork? ParseNetwork(string text)
    {
        if (IPNetwork.TryParse(text, out var network)) return network;
        if (IPAddress.TryParse(text, out var address))
            return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        return null;
    }
}
