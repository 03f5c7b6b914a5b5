using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

// Ack latency of POST /api/slack/events under concurrent load, against a running host on loopback.
// Each request is a signed app_mention event with a new event_id, so every ack verifies the signature and stores the
// event in the durable inbox. GET /healthz is measured the same way first, as the baseline of the same run.
var options = LoadOptions.Parse(args);
if (options is null) return 2;

await using var stub = options.StubPort is { } port ? await SlackApiStub.StartAsync(port) : null;
if (stub is not null) Console.WriteLine($"Slack Web API stub on http://127.0.0.1:{options.StubPort}/api/ (ok:true to every call)");

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = options.Url,
    Timeout = TimeSpan.FromSeconds(30),
};

var runId = Guid.NewGuid().ToString("N")[..8];
Console.WriteLine($"Target {options.Url}, {options.Concurrency} connections, up to {options.Requests} requests or {options.MaxSeconds} s per phase");

var baseline = await RunPhaseAsync("GET /healthz", _ => new HttpRequestMessage(HttpMethod.Get, "healthz"));
var ack = await RunPhaseAsync("POST /api/slack/events", i => SignedEvent(runId, i));

Console.WriteLine();
Console.WriteLine("| phase | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
Console.WriteLine(baseline.Row());
Console.WriteLine(ack.Row());
Console.WriteLine($"Slack ack / healthz baseline: p50 ×{ack.P(50) / Math.Max(baseline.P(50), 0.001):0.0}, p99 ×{ack.P(99) / Math.Max(baseline.P(99), 0.001):0.0}");
return ack.Errors == 0 ? 0 : 1;

async Task<PhaseResult> RunPhaseAsync(string name, Func<int, HttpRequestMessage> request)
{
    // Warm-up: connections, JIT, SQLite pages.
    for (var i = 0; i < Math.Min(200, options.Requests); i++) using (await http.SendAsync(request(-1 - i))) { }

    var latencies = new double[options.Requests];
    var next = -1;
    var errors = 0;
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.MaxSeconds));
    var clock = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, options.Concurrency).Select(async _ =>
    {
        int i;
        while (!stop.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < options.Requests)
        {
            using var message = request(i);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(message, stop.Token);
                if (response.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref errors);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref errors);
            }
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }).ToArray();
    await Task.WhenAll(workers);
    var done = Math.Min(next, options.Requests);
    return new PhaseResult(name, latencies[..done], errors, clock.Elapsed);
}

HttpRequestMessage SignedEvent(string run, int i)
{
    var eventId = $"EvBench{run}{(i < 0 ? "w" + (-i) : i.ToString(CultureInfo.InvariantCulture))}";
    var body = $$"""{"token":"bench","team_id":"TBENCH","api_app_id":"ABENCH","event":{"type":"app_mention","user":"UBENCH{{i & 63}}","text":"<@UBOT> help","ts":"1700000000.{{Math.Abs(i):D6}}","channel":"CBENCH","event_ts":"1700000000.{{Math.Abs(i):D6}}"},"type":"event_callback","event_id":"{{eventId}}","event_time":1700000000,"authorizations":[{"team_id":"TBENCH","user_id":"UBOT","is_bot":true}]}""";
    var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
    var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}"));
    var message = new HttpRequestMessage(HttpMethod.Post, "api/slack/events") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    message.Headers.Add("X-Slack-Request-Timestamp", timestamp);
    message.Headers.Add("X-Slack-Signature", "v0=" + Convert.ToHexStringLower(mac));
    return message;
}

internal sealed record PhaseResult(string Name, double[] Latencies, int Errors, TimeSpan Elapsed)
{
    private readonly double[] sorted = Latencies.Order().ToArray();

    public double P(double percentile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| {Name} | {sorted.Length} | {Errors} | {sorted.Length / Elapsed.TotalSeconds:0} | {P(50):0.00} | {P(90):0.00} | {P(99):0.00} | {(sorted.Length == 0 ? 0 : sorted[^1]):0.00} |");
}

internal sealed record LoadOptions(Uri Url, string Secret, int Requests, int Concurrency, int MaxSeconds, int? StubPort)
{
    public static LoadOptions? Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2) values[args[i]] = args[i + 1];
        if (args.Contains("--help") || args.Length % 2 != 0)
        {
            Console.WriteLine("""
                Usage: dotnet run -c Release --project bench/slack-ack-load -- [options]
                  --url URL            running host, loopback only (default http://127.0.0.1:3978/)
                  --secret SECRET      the host's Slack:SigningSecret (default: env SLACK_SIGNING_SECRET)
                  --requests N         requests per phase (default 5000, at most 100000)
                  --concurrency N      connections (default 64)
                  --max-seconds N      time limit per phase (default 60)
                  --stub-slack-api P   also serve an ok:true Slack Web API stub on 127.0.0.1:P, so the host
                                       (Slack__ApiBaseUrl=http://127.0.0.1:P/api/) completes the turns offline
                """);
            return null;
        }
        var url = new Uri(values.GetValueOrDefault("--url", "http://127.0.0.1:3978/"));
        if (!url.IsLoopback)
        {
            Console.Error.WriteLine("--url must be a loopback address: this load test never targets other machines.");
            return null;
        }
        var secret = values.GetValueOrDefault("--secret") ?? Environment.GetEnvironmentVariable("SLACK_SIGNING_SECRET");
        if (string.IsNullOrEmpty(secret))
        {
            Console.Error.WriteLine("Give the host's signing secret with --secret or SLACK_SIGNING_SECRET.");
            return null;
        }
        var requests = Math.Clamp(int.Parse(values.GetValueOrDefault("--requests", "5000"), CultureInfo.InvariantCulture), 1, 100_000);
        var concurrency = Math.Clamp(int.Parse(values.GetValueOrDefault("--concurrency", "64"), CultureInfo.InvariantCulture), 1, 512);
        var maxSeconds = Math.Clamp(int.Parse(values.GetValueOrDefault("--max-seconds", "60"), CultureInfo.InvariantCulture), 1, 600);
        int? stubPort = values.TryGetValue("--stub-slack-api", out var p) ? int.Parse(p, CultureInfo.InvariantCulture) : null;
        return new LoadOptions(new Uri(url.ToString().TrimEnd('/') + "/"), secret, requests, concurrency, maxSeconds, stubPort);
    }
}

/// <summary>A loopback stand-in for https://slack.com/api/ answering every method with ok:true.</summary>
internal static class SlackApiStub
{
    public static async Task<WebApplication> StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/api/{method}", (string method) => Results.Text(
            """{"ok":true,"channel":"CBENCH","ts":"1700000000.000100","message_ts":"1700000000.000200","view":{"id":"VBENCH"},"user":{"id":"UBENCH","name":"bench","profile":{"display_name":"Bench"}}}""",
            "application/json"));
        await app.StartAsync();
        return app;
    }
}
