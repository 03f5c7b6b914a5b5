using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Bot.Channels.DirectLine;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.DirectLine;

/// <summary>
/// Direct Line WebSocket streams are bounded on the real host: per conversation (<c>LocalChat:MaxStreamsPerConversation</c>)
/// and per instance (<c>LocalChat:MaxStreams</c>). A stream past either is refused with a problem-details answer (429 for
/// the conversation, 503 for the instance) and open streams keep working; a stream that closes frees its place, and a
/// conversation whose last stream closed is no longer tracked.
/// </summary>
public sealed class DirectLineStreamBoundsTests : IAsyncLifetime
{
    private BotTestHost _host = null!;

    public async Task InitializeAsync() => _host = await BotTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["LocalChat:MaxStreams"] = "3",
        ["LocalChat:MaxStreamsPerConversation"] = "2",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private DirectLineConversations Conversations => _host.Services.GetRequiredService<DirectLineConversations>();

    private async Task<Uri> StreamUrlAsync(DirectLineTestClient chat)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v3/directline/conversations/{chat.ConversationId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", chat.Token);
        var response = await _host.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return new Uri((await response.Content.ReadFromJsonAsync<JsonObject>())!["streamUrl"]!.GetValue<string>());
    }

    private async Task<ClientWebSocket> OpenAsync(DirectLineTestClient chat)
    {
        var socket = new ClientWebSocket();
        using var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(await StreamUrlAsync(chat), connecting.Token);
        return socket;
    }

    /// <summary>A WebSocket upgrade request as a browser sends it, answered with plain HTTP when refused.</summary>
    private async Task<HttpResponseMessage> UpgradeAsync(DirectLineTestClient chat)
    {
        var url = await StreamUrlAsync(chat);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_host.BaseAddress, url.PathAndQuery));
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        return await _host.Client.SendAsync(request);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string key)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains(key, (string?)JsonNode.Parse(text)!["detail"]);
    }

    private static async Task CloseAsync(ClientWebSocket socket)
    {
        using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", closing.Token);
        socket.Dispose();
    }

    private async Task WaitForStreamsAsync(int open, int conversations)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((Conversations.OpenStreams, Conversations.ConversationsWithStreams) != (open, conversations))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Conversations.OpenStreams} streams in {Conversations.ConversationsWithStreams} conversations, expected {open} in {conversations}.");
            await Task.Delay(25);
        }
    }

    [Fact]
    public async Task A_conversation_holds_at_most_its_streams_and_a_closed_one_frees_its_place()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        var first = await OpenAsync(chat);
        var second = await OpenAsync(chat);
        await WaitForStreamsAsync(2, 1);

        await AssertRefusedAsync(await UpgradeAsync(chat), HttpStatusCode.TooManyRequests, "LocalChat:MaxStreamsPerConversation");
        using var refused = new ClientWebSocket();
        refused.Options.CollectHttpResponseDetails = true;
        var url = await StreamUrlAsync(chat);
        await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(url, CancellationToken.None));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.HttpStatusCode);
        Assert.Equal(WebSocketState.Open, first.State);

        // The open streams still carry the conversation.
        await chat.SendTextAsync("hello over a bounded stream");
        Assert.Contains("hello over a bounded stream", await ReadTextAsync(second, "hello over a bounded stream"));

        await CloseAsync(first);
        await WaitForStreamsAsync(1, 1);
        var third = await OpenAsync(chat);
        await WaitForStreamsAsync(2, 1);

        await CloseAsync(second);
        await CloseAsync(third);
        await WaitForStreamsAsync(0, 0); // the conversation's entry goes with its last stream
    }

    [Fact]
    public async Task The_instance_holds_at_most_its_streams_over_all_conversations()
    {
        var a = await DirectLineTestClient.StartAsync(_host.Client);
        var b = await DirectLineTestClient.StartAsync(_host.Client);
        var c = await DirectLineTestClient.StartAsync(_host.Client);
        var open = new List<ClientWebSocket> { await OpenAsync(a), await OpenAsync(a), await OpenAsync(b) };
        await WaitForStreamsAsync(3, 2);

        await AssertRefusedAsync(await UpgradeAsync(c), HttpStatusCode.ServiceUnavailable, "LocalChat:MaxStreams");
        Assert.All(open, s => Assert.Equal(WebSocketState.Open, s.State));
        await WaitForStreamsAsync(3, 2); // the refused conversation left no entry behind

        await CloseAsync(open[2]);
        await WaitForStreamsAsync(2, 1);
        var fromC = await OpenAsync(c);
        await WaitForStreamsAsync(3, 2);

        foreach (var socket in new[] { open[0], open[1], fromC }) await CloseAsync(socket);
        await WaitForStreamsAsync(0, 0);
    }

    [Fact]
    public async Task A_per_conversation_limit_above_the_instance_limit_stops_start_up_naming_the_key()
    {
        var e = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => BotTestHost.StartAsync(
            new Dictionary<string, string?> { ["LocalChat:MaxStreams"] = "2", ["LocalChat:MaxStreamsPerConversation"] = "3" }));
        Assert.Contains("LocalChat:MaxStreamsPerConversation", e.Message);
    }

    /// <summary>Reads text frames (skipping keep-alives) until one holds <paramref name="expected"/>.</summary>
    private static async Task<string> ReadTextAsync(ClientWebSocket socket, string expected)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cts.Token);
                message.Write(buffer, 0, result.Count);
            } while (!result.EndOfMessage);
            var text = System.Text.Encoding.UTF8.GetString(message.ToArray());
            if (text.Contains(expected, StringComparison.Ordinal)) return text;
        }
    }
}
