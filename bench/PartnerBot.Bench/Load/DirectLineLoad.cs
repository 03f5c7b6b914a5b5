using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace PartnerBot.Bench.Load;

/// <summary>
/// Direct Line "help" turns on loopback: each connection is one conversation that sends "help" and waits for the
/// menu on its WebSocket stream, turn after turn. The baseline is GET /healthz at the same concurrency, in the same
/// run. Bounded in count; loopback only.
/// </summary>
internal static class DirectLineLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var connections = Option(args, "--connections", 16);
        var turns = Option(args, "--turns", 50);
        await using var host = await LoadHost.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections * 2 }) { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(30) };

        var chats = await Task.WhenAll(Enumerable.Range(0, connections).Select(i => Chat.OpenAsync(http, host.Address, i)));
        await Task.WhenAll(chats.Select(c => c.TurnAsync()));   // warm-up turn per conversation

        var baseline = await MeasureAsync(connections, turns, async _ => { using var r = await http.GetAsync("healthz"); r.EnsureSuccessStatusCode(); });
        var latencies = new ConcurrentBag<double>();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(chats.Select(async chat =>
        {
            for (var t = 0; t < turns; t++) latencies.Add(await chat.TurnAsync());
        }));
        var seconds = watch.Elapsed.TotalSeconds;

        var sorted = latencies.Order().ToList();
        var p50 = Percentile(sorted, 0.50);
        var p99 = Percentile(sorted, 0.99);
        Console.WriteLine($"Direct Line 'help' turns: {sorted.Count} turns over {connections} connections in {seconds:F1} s");
        Console.WriteLine($"  turn latency p50 {p50:F1} ms, p99 {p99:F1} ms; throughput {sorted.Count / seconds:F0} turns/s");
        Console.WriteLine($"  baseline GET /healthz p50 {Percentile(baseline, 0.5):F2} ms, p99 {Percentile(baseline, 0.99):F2} ms");
        Console.WriteLine($"  ratio turn/baseline: p50 {p50 / Percentile(baseline, 0.5):F1}x, p99 {p99 / Percentile(baseline, 0.99):F1}x");
        foreach (var chat in chats) await chat.DisposeAsync();
        return 0;
    }

    private static async Task<List<double>> MeasureAsync(int connections, int count, Func<int, Task> call)
    {
        var latencies = new ConcurrentBag<double>();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            for (var i = 0; i < count; i++)
            {
                var watch = Stopwatch.StartNew();
                await call(c);
                latencies.Add(watch.Elapsed.TotalMilliseconds);
            }
        }));
        return latencies.Order().ToList();
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
    }

    private sealed class Chat : IAsyncDisposable
    {
        private readonly HttpClient _http;
        private readonly ClientWebSocket _socket;
        private readonly string _conversationId;
        private readonly string _token;
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new();
        private readonly Task _reader;

        private Chat(HttpClient http, ClientWebSocket socket, string conversationId, string token)
        {
            _http = http;
            _socket = socket;
            _conversationId = conversationId;
            _token = token;
            _reader = ReadAsync();
        }

        public static async Task<Chat> OpenAsync(HttpClient http, Uri address, int index)
        {
            var generated = await (await http.PostAsJsonAsync("v3/directline/tokens/generate", new { user = new { id = $"load-{index}" } })).Content.ReadFromJsonAsync<JsonObject>();
            var request = new HttpRequestMessage(HttpMethod.Post, "v3/directline/conversations");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (string)generated!["token"]!);
            var started = await (await http.SendAsync(request)).Content.ReadFromJsonAsync<JsonObject>();
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri((string)started!["streamUrl"]!), CancellationToken.None);
            return new Chat(http, socket, (string)started["conversationId"]!, (string)started["token"]!);
        }

        /// <summary>Sends "help" and returns the milliseconds until the bot's answer arrives on the stream.</summary>
        public async Task<double> TurnAsync()
        {
            var watch = Stopwatch.StartNew();
            var request = new HttpRequestMessage(HttpMethod.Post, $"v3/directline/conversations/{_conversationId}/activities")
            {
                Content = JsonContent.Create(new { type = "message", text = "help", from = new { id = "load" } }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var response = await _http.SendAsync(request);
            var id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
            var waiter = _waiting.GetOrAdd(id, _ => answered);
            await waiter.Task.WaitAsync(TimeSpan.FromSeconds(30));
            _waiting.TryRemove(id, out _);
            return watch.Elapsed.TotalMilliseconds;
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[1 << 20];
            try
            {
                while (_socket.State == WebSocketState.Open)
                {
                    var text = new StringBuilder();
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                        text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                    } while (!result.EndOfMessage);
                    if (result.MessageType == WebSocketMessageType.Close || text.Length == 0) continue;
                    foreach (var activity in JsonNode.Parse(text.ToString())!["activities"]!.AsArray())
                        if ((string?)activity!["replyToId"] is { } replyTo && (string?)activity["from"]?["role"] == "bot")
                            _waiting.GetOrAdd(replyTo, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
            }
            catch (WebSocketException) { }
        }

        public async ValueTask DisposeAsync()
        {
            if (_socket.State == WebSocketState.Open)
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            await _reader;
            _socket.Dispose();
        }
    }
}
