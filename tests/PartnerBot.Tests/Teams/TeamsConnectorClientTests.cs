using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Bot.Channels.BotFramework;
using PartnerBot.Bot.Channels.Teams;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace PartnerBot.Tests.Teams;

public sealed class TeamsConnectorClientTests : IDisposable
{
    private const string Conversation = "19:097e6717fd7245bdbeba6baa13840db8@thread.skype;messageid=1571537152320";
    private readonly ChannelIdentityServer _identity = new();
    private readonly WireMockServer _connector = WireMockServer.Start();
    private readonly ServiceProvider _services;
    private readonly ConnectorClient _client;

    public TeamsConnectorClientTests()
    {
        _services = TeamsServices.Build(_identity);
        _client = _services.GetRequiredService<ConnectorClient>();
        _services.GetRequiredService<TrustedServiceUrls>().TrustConfigured(ServiceUrl);
    }

    private string ServiceUrl => _connector.Urls[0].Replace("localhost", "127.0.0.1") + "/amer/";

    private static Activity Text(string text) => new() { Type = ActivityTypes.Message, Text = text };

    private void Answer(string method, string path, int status, string body = """{"id":"1:abc"}""") =>
        _connector.Given(Request.Create().WithPath(path).UsingMethod(method))
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body));

    [Fact]
    public async Task Every_operation_uses_its_connector_route_with_the_bot_token()
    {
        var conv = $"/amer/v3/conversations/{Conversation}";
        Answer("POST", $"{conv}/activities", 201);
        Answer("POST", $"{conv}/activities/1571537152320", 201, """{"id":"1:reply"}""");
        Answer("PUT", $"{conv}/activities/1:abc", 200, """{"id":"1:abc"}""");
        Answer("DELETE", $"{conv}/activities/1:abc", 200, "");
        Answer("GET", $"{conv}/members", 200, """[{"id":"29:user","name":"Dave","aadObjectId":"6b70"}]""");
        Answer("POST", "/amer/v3/conversations", 201, """{"id":"a:new-chat","activityId":"1:first"}""");

        Assert.Equal("1:abc", (await _client.SendToConversationAsync(ServiceUrl, Conversation, Text("hi"))).Id);
        Assert.Equal("1:reply", (await _client.ReplyToActivityAsync(ServiceUrl, Conversation, "1571537152320", Text("re"))).Id);
        Assert.Equal("1:abc", (await _client.UpdateActivityAsync(ServiceUrl, Conversation, "1:abc", Text("edit"))).Id);
        await _client.DeleteActivityAsync(ServiceUrl, Conversation, "1:abc");
        var members = await _client.GetConversationMembersAsync(ServiceUrl, Conversation);
        var created = await _client.CreateConversationAsync(ServiceUrl, new ConversationParameters
        {
            Bot = new ChannelAccount { Id = "28:bot" }, Members = [new ChannelAccount { Id = "29:user" }], TenantId = "t1",
        });

        Assert.Equal("6b70", Assert.Single(members).AadObjectId);
        Assert.Equal("a:new-chat", created.Id);
        var calls = _connector.LogEntries.ToList();
        Assert.Equal(6, calls.Count);
        Assert.All(calls, c => Assert.Equal($"Bearer {ChannelIdentityServer.BotAccessToken}", c.RequestMessage.Headers!["Authorization"].Single()));
        Assert.Equal("1571537152320", JsonNode.Parse(calls[1].RequestMessage.Body!)!["replyToId"]!.GetValue<string>());
        Assert.Equal("1:abc", JsonNode.Parse(calls[2].RequestMessage.Body!)!["id"]!.GetValue<string>());
        // The token is fetched once and cached.
        Assert.Equal(1, _identity.TokenRequests);
        var tokenRequest = _identity.Server.LogEntries.Single(e => e.RequestMessage.Path.EndsWith("/token")).RequestMessage.Body!;
        Assert.Contains("grant_type=client_credentials", tokenRequest);
        Assert.Contains($"client_id={ChannelIdentityServer.AppId}", tokenRequest);
        Assert.Contains("scope=https%3A%2F%2Fapi.botframework.com%2F.default", tokenRequest);
    }

    [Fact]
    public async Task A_429_with_retry_after_is_retried_after_the_delay()
    {
        var path = $"/amer/v3/conversations/{Conversation}/activities";
        _connector.Given(Request.Create().WithPath(path).UsingPost()).InScenario("throttle").WillSetStateTo("throttled")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "1"));
        _connector.Given(Request.Create().WithPath(path).UsingPost()).InScenario("throttle").WhenStateIs("throttled")
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody("""{"id":"1:after-retry"}"""));

        var sent = await _client.SendToConversationAsync(ServiceUrl, Conversation, Text("hi"));

        Assert.Equal("1:after-retry", sent.Id);
        var calls = _connector.LogEntries.OrderBy(e => e.RequestMessage.DateTime).ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal(429, (int)calls[0].ResponseMessage.StatusCode!);
        // Both attempts carry the same JSON with its length, not a chunked body.
        Assert.Equal(calls[0].RequestMessage.Body, calls[1].RequestMessage.Body);
        Assert.Equal("hi", (string?)JsonNode.Parse(calls[1].RequestMessage.Body!)!["text"]);
        Assert.All(calls, c =>
        {
            Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(c.RequestMessage.Body!).ToString(), c.RequestMessage.Headers!["Content-Length"].Single());
            Assert.False(c.RequestMessage.Headers!.ContainsKey("Transfer-Encoding"));
            Assert.Equal("application/json; charset=utf-8", c.RequestMessage.Headers!["Content-Type"].Single());
        });
        Assert.True(calls[1].RequestMessage.DateTime - calls[0].RequestMessage.DateTime >= TimeSpan.FromMilliseconds(950),
            "the retry must wait for Retry-After");
    }

    [Fact]
    public async Task A_server_error_is_retried_and_a_lasting_one_fails_with_the_connector_error()
    {
        var path = $"/amer/v3/conversations/{Conversation}/activities";
        _connector.Given(Request.Create().WithPath(path).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Content-Type", "application/json")
                .WithBody("""{"error":{"code":"ServiceUnavailable","message":"try later"}}"""));
        using var services = TeamsServices.Build(_identity, configure: s =>
            s.AddSingleton(new ConnectorRetryPolicy(TimeProvider.System) { BaseDelay = TimeSpan.FromMilliseconds(10) }));
        services.GetRequiredService<TrustedServiceUrls>().TrustConfigured(ServiceUrl);

        var error = await Assert.ThrowsAsync<ConnectorException>(() =>
            services.GetRequiredService<ConnectorClient>().SendToConversationAsync(ServiceUrl, Conversation, Text("hi")));

        Assert.Equal(503, error.Status);
        Assert.Equal("ServiceUnavailable", error.Code);
        Assert.Equal(4, _connector.LogEntries.Count()); // first try + 3 retries
    }

    [Fact]
    public async Task Service_urls_not_seen_on_an_authenticated_activity_are_refused()
    {
        var error = await Assert.ThrowsAsync<ConnectorException>(() =>
            _client.SendToConversationAsync("https://attacker.example.com/", Conversation, Text("hi")));

        Assert.Equal("UntrustedServiceUrl", error.Code);
        Assert.Empty(_connector.LogEntries);
        Assert.Equal(0, _identity.TokenRequests);
    }

    [Fact]
    public async Task Conversation_and_activity_ids_are_url_encoded_on_the_wire()
    {
        var targets = new ConcurrentQueue<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var raw = builder.Build();
        raw.Run(async context =>
        {
            targets.Enqueue(context.Features.Get<IHttpRequestFeature>()!.RawTarget);
            context.Response.StatusCode = 201;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"id":"1:x"}""");
        });
        await raw.StartAsync();
        var serviceUrl = raw.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/amer/";
        _services.GetRequiredService<TrustedServiceUrls>().TrustConfigured(serviceUrl);

        await _client.ReplyToActivityAsync(serviceUrl, Conversation, "1:1g3S/x", Text("hi"));

        Assert.Equal("/amer/v3/conversations/19%3A097e6717fd7245bdbeba6baa13840db8%40thread.skype%3Bmessageid%3D1571537152320/activities/1%3A1g3S%2Fx",
            Assert.Single(targets));
    }

    public void Dispose()
    {
        _services.Dispose();
        _connector.Stop();
        _connector.Dispose();
        _identity.Dispose();
    }
}
