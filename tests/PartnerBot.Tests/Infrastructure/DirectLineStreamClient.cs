using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace PartnerBot.Tests.Infrastructure;

/// <summary>
/// The WebSocket side of Direct Line 3.0, as botframework-directlinejs uses it: ask for a stream URL (with an optional
/// watermark), connect, and read ActivitySets; empty keep-alive frames are skipped.
/// </summary>
public sealed class DirectLineStreamClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    private DirectLineStreamClient() { }

    /// <summary>Every activity received so far, in the order the stream sent them.</summary>
    public List<JsonObject> Received { get; } = [];

    public string? Watermark { get; private set; }

    public static async Task<DirectLineStreamClient> ConnectAsync(HttpClient http, DirectLineTestClient chat, string? watermark = null)
    {
        var url = $"v3/directline/conversations/{chat.ConversationId}" + (watermark is null ? "" : "?watermark=" + Uri.EscapeDataString(watermark));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", chat.Token);
        var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var streamUrl = (await response.Content.ReadFromJsonAsync<JsonObject>())!["streamUrl"]!.GetValue<string>();

        var client = new DirectLineStreamClient();
        using var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client._socket.ConnectAsync(new Uri(streamUrl), connecting.Token);
        return client;
    }

    /// <summary>Reads ActivitySets until an activity satisfying <paramref name="match"/> arrives; returns it.</summary>
    public async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(45));
        var checkedCount = 0;
        while (true)
        {
            for (; checkedCount < Received.Count; checkedCount++)
                if (match(Received[checkedCount])) return Received[checkedCount];
            JsonObject? set;
            try { set = await ReadSetAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("No matching activity on the stream. Received:\n" + string.Join("\n", Received.Select(a => a.ToJsonString())));
            }
            if (set is null) throw new InvalidOperationException("The stream closed.");
            foreach (var activity in set["activities"]!.AsArray()) Received.Add(activity!.AsObject());
            Watermark = (string?)set["watermark"] ?? Watermark;
        }
    }

    private async Task<JsonObject?> ReadSetAsync(CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var frame = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close) return null;
                frame.Write(buffer, 0, result.Count);
            } while (!result.EndOfMessage);
            if (frame.Length == 0) continue; // keep-alive
            return JsonNode.Parse(Encoding.UTF8.GetString(frame.ToArray()))!.AsObject();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", closing.Token); }
            catch (WebSocketException) { }
            catch (OperationCanceledException) { }
        }
        _socket.Dispose();
    }
}
