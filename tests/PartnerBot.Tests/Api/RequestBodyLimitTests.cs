using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Identity;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Api;

/// <summary>
/// Every inbound endpoint group holds request bodies to its limit (<c>Http:RequestBodyLimits:*</c>) on the real host:
/// an oversized body is refused with 413 and a problem-details body whether it declares its Content-Length or streams
/// in chunks without one, and a body of normal size still reaches the endpoint.
/// </summary>
public sealed class RequestBodyLimitTests : IAsyncLifetime
{
    private const int ChatLimit = 256 * 1024;
    private const int ApiLimit = 1024 * 1024;
    private BotTestHost _host = null!;

    public async Task InitializeAsync() => _host = await BotTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Deployments:GitHubActions:CallbackSecret"] = "runner-callback-secret-for-limits",
        ["Slack:SigningSecret"] = "slack-signing-secret-for-limits",
        ["Stripe:WebhookSecret"] = "whsec_limits",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>A JSON object of about <paramref name="size"/> bytes: <paramref name="json"/>'s members padded with spaces.</summary>
    private static byte[] Padded(string json, int size)
    {
        var open = json.IndexOf('{') + 1;
        return Encoding.UTF8.GetBytes(json[..open] + new string(' ', Math.Max(0, size - json.Length)) + json[open..]);
    }

    private static HttpContent Body(byte[] bytes, bool chunked, string contentType = "application/json")
    {
        // A StreamContent of a stream that cannot seek has no length: HttpClient sends it chunked.
        HttpContent content = chunked ? new StreamContent(new UnseekableStream(bytes)) : new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return content;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body, bool chunked, string? apiKey = null, string? bearer = null,
        string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Body(body, chunked, contentType) };
        if (chunked) request.Headers.TransferEncodingChunked = true;
        if (apiKey is not null) request.Headers.Add("X-Api-Key", apiKey);
        if (bearer is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        var response = await _host.Client.SendAsync(request);
        if (chunked) Assert.Null(request.Content!.Headers.ContentLength);
        return response;
    }

    private static async Task AssertTooLargeAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{what}: {(int)response.StatusCode} {text}");
        // The body was not read to its end: the connection is closed, so the client's next request takes a fresh one.
        Assert.True(response.Headers.ConnectionClose == true, $"{what}: no Connection: close on the 413");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(413, (int?)problem["status"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["title"]));
    }

    private async Task AssertBothRefusedAsync(string path, byte[] oversized, string? apiKey = null, string? bearer = null, string contentType = "application/json")
    {
        await AssertTooLargeAsync(await PostAsync(path, oversized, chunked: false, apiKey, bearer, contentType), path + " with Content-Length");
        await AssertTooLargeAsync(await PostAsync(path, oversized, chunked: true, apiKey, bearer, contentType), path + " chunked");
    }

    private async Task<string> ApiKeyAsync() =>
        (await _host.Services.GetRequiredService<ApiKeyStore>().CreateAsync("limits-user", false, "limits", null)).Key;

    [Fact]
    public async Task The_rest_api_refuses_bodies_over_1_mb_and_reads_a_normal_one()
    {
        var key = await ApiKeyAsync();
        await AssertBothRefusedAsync("/api/deployments", Padded("{\"module\":\"Tiny\"}", ApiLimit + 64 * 1024), key);

        // 900 KB is read to its end and parsed: the missing module is the answer, not the size.
        foreach (var chunked in new[] { false, true })
        {
            var normal = await PostAsync("/api/deployments", Padded("{\"inputs\":{}}", 900 * 1024), chunked, key);
            var text = await normal.Content.ReadAsStringAsync();
            Assert.True(normal.StatusCode == HttpStatusCode.BadRequest, $"{(int)normal.StatusCode} {text}");
            Assert.Contains("missing the module", text);
        }
    }

    [Fact]
    public async Task Runner_callbacks_refuse_bodies_over_1_mb_and_read_a_normal_one()
    {
        var oversized = Padded("{\"eventId\":\"e1\",\"type\":\"log\",\"lines\":[\"x\"]}", ApiLimit + 64 * 1024);
        await AssertBothRefusedAsync("/api/deployments/dep-limits/events", oversized);
        // A declared oversized run report is refused before anything runs (a chunked one is answered 401 before its body
        // is read, since only the run's token opens these routes).
        await AssertTooLargeAsync(await PostAsync("/api/deployments/dep-limits/runs/run-1/result", oversized, chunked: false,
            bearer: "not-a-run-token", contentType: "text/plain"), "runner result with Content-Length");

        // A normal body is read in full before its signature is checked: the missing signature is the answer.
        foreach (var chunked in new[] { false, true })
        {
            var normal = await PostAsync("/api/deployments/dep-limits/events", Padded("{\"eventId\":\"e1\"}", 900 * 1024), chunked);
            Assert.Equal(HttpStatusCode.Unauthorized, normal.StatusCode);
        }
    }

    [Fact]
    public async Task The_stripe_webhook_refuses_bodies_over_256_kb_and_reads_a_normal_one()
    {
        await AssertBothRefusedAsync("/api/stripe/webhook", Padded("{\"id\":\"evt_1\"}", ChatLimit + 32 * 1024));
        foreach (var chunked in new[] { false, true })
        {
            var normal = await PostAsync("/api/stripe/webhook", Padded("{\"id\":\"evt_1\"}", 200 * 1024), chunked);
            Assert.Equal(HttpStatusCode.BadRequest, normal.StatusCode);
            Assert.Contains("Stripe-Signature", await normal.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Slack_refuses_bodies_over_256_kb_and_reads_a_normal_one()
    {
        var form = "payload=" + new string('x', ChatLimit + 32 * 1024);
        await AssertBothRefusedAsync("/api/slack/events", Encoding.UTF8.GetBytes(form), contentType: "application/x-www-form-urlencoded");
        foreach (var chunked in new[] { false, true })
        {
            var normal = await PostAsync("/api/slack/events", Encoding.UTF8.GetBytes("payload=" + new string('x', 200 * 1024)), chunked,
                contentType: "application/x-www-form-urlencoded");
            Assert.Equal(HttpStatusCode.Unauthorized, normal.StatusCode); // read in full, then the missing signature
        }
    }

    [Fact]
    public async Task Bot_framework_messages_refuse_bodies_over_256_kb_and_read_a_normal_one()
    {
        await AssertBothRefusedAsync("/api/messages", Padded("{\"type\":\"message\"}", ChatLimit + 32 * 1024));
        foreach (var chunked in new[] { false, true })
        {
            var normal = await PostAsync("/api/messages", Padded("{\"text\":\"no type\"}", 200 * 1024), chunked);
            Assert.Equal(HttpStatusCode.BadRequest, normal.StatusCode);
            Assert.Contains("no type", await normal.Content.ReadAsStringAsync()); // parsed: "The activity has no type."
        }
    }

    [Fact]
    public async Task Direct_line_refuses_bodies_over_256_kb_and_reads_a_normal_one()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        var path = $"v3/directline/conversations/{chat.ConversationId}/activities";
        await AssertBothRefusedAsync(path, Padded("{\"type\":\"typing\"}", ChatLimit + 32 * 1024), bearer: chat.Token);
        await AssertBothRefusedAsync("v3/directline/tokens/generate", Padded("{\"user\":{\"id\":\"x\"}}", ChatLimit + 32 * 1024));
        foreach (var chunked in new[] { false, true })
        {
            var normal = await PostAsync(path, Padded("{\"type\":\"typing\"}", 200 * 1024), chunked, bearer: chat.Token);
            Assert.Equal(HttpStatusCode.OK, normal.StatusCode);
            Assert.Contains(chat.ConversationId, await normal.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_lower_configured_limit_applies_to_its_group_only()
    {
        await using var host = await BotTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Http:RequestBodyLimits:Chat"] = "8192",
            ["Http:RequestBodyLimits:RunnerPlan"] = "4096",
            ["Slack:SigningSecret"] = "slack-signing-secret-for-limits",
            ["Deployments:GitHubActions:CallbackSecret"] = "runner-callback-secret-for-limits",
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/slack/events")
        {
            Content = Body(Encoding.UTF8.GetBytes("payload=" + new string('x', 16 * 1024)), chunked: true, "application/x-www-form-urlencoded"),
        };
        request.Headers.TransferEncodingChunked = true;
        await AssertTooLargeAsync(await host.Client.SendAsync(request), "Slack with Chat = 8 KB");
        // The Stripe webhook keeps its own (256 KB) limit.
        var webhook = await host.Client.PostAsync("/api/stripe/webhook", Body(Padded("{\"id\":\"evt_1\"}", 16 * 1024), chunked: false));
        Assert.Equal(HttpStatusCode.BadRequest, webhook.StatusCode);

        // The plan upload has a limit of its own within the runner routes.
        var report = Body(Padded("{}", 16 * 1024), chunked: false);
        using var plan = new HttpRequestMessage(HttpMethod.Post, "/api/deployments/dep-limits/runs/run-1/plan") { Content = report };
        await AssertTooLargeAsync(await host.Client.SendAsync(plan), "plan over RunnerPlan = 4 KB");
        var result = await host.Client.PostAsync("/api/deployments/dep-limits/runs/run-1/result", Body(Padded("{}", 16 * 1024), chunked: false));
        Assert.Equal(HttpStatusCode.Unauthorized, result.StatusCode); // RunnerCallbacks (1 MB) applies here
    }

    [Fact]
    public async Task A_limit_out_of_range_stops_start_up_naming_the_key()
    {
        var e = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            BotTestHost.StartAsync(new Dictionary<string, string?> { ["Http:RequestBodyLimits:Api"] = "10" }));
        Assert.Contains("Http:RequestBodyLimits:Api", e.Message);
    }

    /// <summary>A read-only stream of known bytes that does not say its length.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
    }
}
