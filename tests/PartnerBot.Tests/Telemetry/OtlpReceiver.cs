using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Telemetry;

/// <summary>
/// An OTLP/HTTP receiver on 127.0.0.1, as a collector would run one: <c>POST /v1/traces</c> and <c>POST /v1/metrics</c>
/// with <c>application/x-protobuf</c> bodies. Traces are decoded (<see cref="OtlpTraceDecoder"/>) and kept; metric
/// exports are counted. Every export is answered with an empty Export*ServiceResponse, which means "all accepted".
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private int _metricExports;
    private int _badRequests;

    private OtlpReceiver(WebApplication app, string endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The base address to configure as <c>Telemetry:Otlp:Endpoint</c> (no signal path).</summary>
    public string Endpoint { get; }

    public IReadOnlyList<ReceivedSpan> Spans => _spans.ToArray();

    public int MetricExports => Volatile.Read(ref _metricExports);

    /// <summary>Exports that were not protobuf or did not decode: a test that sees one fails.</summary>
    public int BadRequests => Volatile.Read(ref _badRequests);

    public static async Task<OtlpReceiver> StartAsync()
    {
        var endpoint = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(endpoint);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app, endpoint);
        app.MapPost("/v1/traces", receiver.ReceiveTracesAsync);
        app.MapPost("/v1/metrics", receiver.ReceiveMetricsAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task<IResult> ReceiveTracesAsync(HttpRequest request)
    {
        var body = await ReadProtobufAsync(request);
        if (body is null) return Refuse();
        try
        {
            foreach (var span in OtlpTraceDecoder.Decode(body)) _spans.Enqueue(span);
        }
        catch (FormatException)
        {
            return Refuse();
        }
        return Results.Bytes([], "application/x-protobuf");
    }

    private async Task<IResult> ReceiveMetricsAsync(HttpRequest request)
    {
        if (await ReadProtobufAsync(request) is null) return Refuse();
        Interlocked.Increment(ref _metricExports);
        return Results.Bytes([], "application/x-protobuf");
    }

    private IResult Refuse()
    {
        Interlocked.Increment(ref _badRequests);
        return Results.BadRequest();
    }

    private static async Task<byte[]?> ReadProtobufAsync(HttpRequest request)
    {
        if (request.ContentType?.StartsWith("application/x-protobuf", StringComparison.Ordinal) != true) return null;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Waits until a span matching <paramref name="match"/> arrived, asking <paramref name="flush"/> to export between looks.</summary>
    public async Task<ReceivedSpan> WaitForSpanAsync(Func<ReceivedSpan, bool> match, Action flush, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (Spans.FirstOrDefault(match) is { } found) return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The expected span was not exported. Received: " + string.Join(", ", Spans.Select(s => s.Name).Distinct()));
            flush();
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
