using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.DirectLine;

public sealed class DirectLineProtocolTests : IAsyncLifetime
{
    private readonly LogCapture _logs = new();
    private BotTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await BotTestHost.StartAsync(configure: b => b.Logging.AddProvider(_logs));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Help_is_answered_with_the_main_menu_card()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("help");

        var reply = await chat.WaitForCardAsync();
        var card = DirectLineTestClient.Card(reply)!;
        Assert.Equal("AdaptiveCard", (string?)card["type"]);
        var titles = DirectLineTestClient.Actions(card).Select(a => (string?)a["title"]).ToList();
        Assert.Contains("Deploy a module", titles);
        Assert.Contains("My deployments", titles);
        Assert.Contains("Contact support", titles);
        Assert.All(DirectLineTestClient.Actions(card), a => Assert.Equal("Action.Submit", (string?)a["type"]));
        Assert.Equal("directline", (string?)reply["channelId"]);
        Assert.Equal("bot", (string?)reply["from"]!["role"]);
    }

    [Fact]
    public async Task The_users_own_activity_comes_back_with_a_server_id_and_its_channel_data_unchanged()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        var clientActivityId = Guid.NewGuid().ToString("N");
        var id = await chat.PostActivityAsync(new JsonObject
        {
            ["type"] = "message",
            ["from"] = new JsonObject { ["id"] = chat.UserId },
            ["text"] = "menu",
            ["channelData"] = new JsonObject { ["clientActivityID"] = clientActivityId, ["clientTimestamp"] = "2026-11-23T10:00:00.000Z" },
        });

        await chat.WaitForCardAsync();
        var echo = chat.Received.Single(a => (string?)a["id"] == id);
        Assert.StartsWith(chat.ConversationId + "|", id);
        Assert.Equal(clientActivityId, (string?)echo["channelData"]!["clientActivityID"]);
        Assert.Equal("2026-11-23T10:00:00.000Z", (string?)echo["channelData"]!["clientTimestamp"]);
        Assert.Equal(chat.UserId, (string?)echo["from"]!["id"]);
    }

    [Fact]
    public async Task A_join_event_is_answered_with_a_welcome_menu()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendEventAsync("webchat/join");
        var welcome = await chat.WaitForCardAsync();
        Assert.Contains("Hi Test User", DirectLineTestClient.AllText(welcome));
    }

    [Fact]
    public async Task Unknown_text_gets_a_friendly_answer_and_the_menu()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("make me a sandwich");
        var reply = await chat.WaitForCardAsync();
        Assert.Contains("didn't understand", DirectLineTestClient.AllText(reply));
    }

    [Fact]
    public async Task Theme_command_saves_the_preference_and_tells_the_page()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("theme dark");
        var themeEvent = await chat.WaitForBotAsync(a => (string?)a["type"] == "event" && (string?)a["name"] == "theme");
        Assert.Equal("dark", (string?)themeEvent["value"]);
        await chat.WaitForTextAsync("theme is now **dark**");

        var users = _host.Services.GetRequiredService<PartnerBot.Api.Identity.UserDirectory>();
        var user = await users.FindByIdentityAsync("directline", chat.UserId);
        Assert.Equal("dark", user!.Theme);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_and_nothing_is_logged_as_an_error()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        var response = await chat.PostRawAsync("{\"type\": \"message\", \"text\": ");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(400, (int?)problem!["status"]);
        Assert.Empty(_logs.AtLeast(LogLevel.Error));
    }

    [Fact]
    public async Task An_activity_over_256_KB_is_a_413_problem()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        var huge = new JsonObject { ["type"] = "message", ["text"] = new string('x', 300 * 1024) }.ToJsonString();
        var response = await chat.PostRawAsync(huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_logs.AtLeast(LogLevel.Error));
    }

    [Fact]
    public async Task An_unknown_conversation_is_a_404_problem()
    {
        // A valid token for a conversation that was never started.
        var tokenResponse = await _host.Client.PostAsJsonAsync("v3/directline/tokens/generate", new { user = new { id = "someone" } });
        var body = (await tokenResponse.Content.ReadFromJsonAsync<JsonObject>())!;
        var request = new HttpRequestMessage(HttpMethod.Get, $"v3/directline/conversations/{(string?)body["conversationId"]}/activities");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (string?)body["token"]);
        var response = await _host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_missing_or_foreign_token_is_refused()
    {
        var alice = await DirectLineTestClient.StartAsync(_host.Client);
        var bob = await DirectLineTestClient.StartAsync(_host.Client);

        var noToken = await _host.Client.GetAsync($"v3/directline/conversations/{alice.ConversationId}/activities");
        Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);

        var request = new HttpRequestMessage(HttpMethod.Get, $"v3/directline/conversations/{alice.ConversationId}/activities");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bob.Token);
        Assert.Equal(HttpStatusCode.Forbidden, (await _host.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync("readyz")).StatusCode);
    }
}
