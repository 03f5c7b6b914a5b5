using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace PartnerBot.Tests.Slack;

/// <summary>The Web API client against the fake Slack API: rate limits, retries, error codes, the proactive sender.</summary>
public sealed class SlackWebApiClientTests : IAsyncLifetime
{
    private readonly FakeSlackApi slack = new();
    private SlackTestHost host = null!;

    public async Task InitializeAsync() =>
        host = await SlackTestHost.StartAsync(slack.ApiBaseUrl, SlackTestData.TempDatabase(), new RecordingChatBot());

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        slack.Dispose();
    }

    private SlackWebApiClient Client => host.Services.GetRequiredService<SlackWebApiClient>();

    [Fact]
    public async Task Rate_limited_call_is_retried_once_after_retry_after()
    {
        slack.Server.Given(Request.Create().WithPath("/api/chat.postMessage").UsingPost()).AtPriority(1)
            .InScenario("rate-limit").WillSetStateTo("limited-once")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "1")
                .WithBody("""{"ok":false,"error":"ratelimited"}"""));

        var answer = await Client.PostMessageAsync("C111", "hello", null);

        Assert.Equal(FakeSlackApi.PostedTs, answer["ts"]!.GetValue<string>());
        var calls = slack.Calls("chat.postMessage");
        Assert.Equal(2, calls.Count);
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(950), $"retried after {(calls[1].At - calls[0].At).TotalMilliseconds} ms");
        Assert.All(calls, c => Assert.Equal("hello", c.Body!["text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Blocks_are_posted_as_they_are_and_stay_with_their_message()
    {
        var blocks = new JsonArray(new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = "<https://x.test|Grüße> & more" } });
        var message = new JsonObject { ["blocks"] = blocks };

        await Client.PostMessageAsync("C111", "Grüße <b>", blocks);
        await Client.PostEphemeralAsync("C111", "U1", "again", blocks, "1.5");

        Assert.Same(message, blocks.Parent);
        var posted = Assert.Single(slack.Calls("chat.postMessage"));
        Assert.StartsWith("application/json", posted.ContentType);
        Assert.Equal("Grüße <b>", posted.Body!["text"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(blocks, posted.Body["blocks"]), posted.Body.ToJsonString());
        Assert.False(posted.Body.ContainsKey("thread_ts"));
        var ephemeral = Assert.Single(slack.Calls("chat.postEphemeral"));
        Assert.Equal("1.5", ephemeral.Body!["thread_ts"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(blocks, ephemeral.Body["blocks"]));
    }

    [Fact]
    public async Task A_rendered_message_is_posted_with_its_blocks_exactly_as_rendered()
    {
        var rendered = PartnerBot.Cards.BlockKit.BlockKitRenderer.RenderMessage(new UiMessage("Grüße & <b>",
            [new UiHeading("Deploy"), new UiText("**Bold** & [docs](https://x.test/a?b=1&c=2)")], [new UiAction("Go", "deploy.start")]));

        await Client.PostMessageAsync("C111", rendered, "1.5");
        await Client.PostEphemeralAsync("C111", "U1", rendered);
        await Client.UpdateMessageAsync("C111", "1.7", rendered);

        foreach (var method in new[] { "chat.postMessage", "chat.postEphemeral", "chat.update" })
        {
            var call = Assert.Single(slack.Calls(method));
            Assert.Equal(rendered.Text, call.Body!["text"]!.GetValue<string>());
            Assert.True(JsonNode.DeepEquals(rendered.Blocks, call.Body["blocks"]), call.Body.ToJsonString());
            Assert.Equal("C111", call.Body["channel"]!.GetValue<string>());
        }
        Assert.Equal("1.5", slack.Calls("chat.postMessage")[0].Body!["thread_ts"]!.GetValue<string>());
        Assert.False(slack.Calls("chat.postEphemeral")[0].Body!.ContainsKey("thread_ts"));
        Assert.Equal("U1", slack.Calls("chat.postEphemeral")[0].Body!["user"]!.GetValue<string>());
        Assert.Equal("1.7", slack.Calls("chat.update")[0].Body!["ts"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ok_false_surfaces_the_error_code()
    {
        slack.Server.Given(Request.Create().WithPath("/api/chat.update").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"ok":false,"error":"channel_not_found"}"""));

        var error = await Assert.ThrowsAsync<SlackApiException>(() => Client.UpdateMessageAsync("C404", "1.2", "x", null));
        Assert.Equal("channel_not_found", error.Error);
        Assert.Equal("chat.update", error.Method);
        Assert.Single(slack.Calls("chat.update"));
    }

    [Fact]
    public async Task Server_errors_are_retried_a_bounded_number_of_times()
    {
        slack.Server.Given(Request.Create().WithPath("/api/chat.delete").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(503));

        var error = await Assert.ThrowsAsync<SlackApiException>(() => Client.DeleteMessageAsync("C111", "1.2"));
        Assert.Equal("http_503", error.Error);
        Assert.Equal(SlackWebApiClient.MaxAttempts, slack.Calls("chat.delete").Count);
    }

    [Fact]
    public async Task Every_method_sends_its_documented_body_with_the_bot_token()
    {
        var view = new JsonObject { ["type"] = "modal", ["title"] = new JsonObject { ["type"] = "plain_text", ["text"] = "T" }, ["blocks"] = new JsonArray() };
        await Client.PostEphemeralAsync("C1", "U1", "psst", new JsonArray(), "9.9");
        await Client.DeleteMessageAsync("C1", "1.1");
        await Client.OpenViewAsync("trig", view.DeepClone().AsObject());
        await Client.PushViewAsync("trig2", view.DeepClone().AsObject());
        await Client.UpdateViewAsync("V1", view.DeepClone().AsObject(), "h1");
        Assert.Equal("D0DIRECT", await Client.OpenDirectMessageAsync("U1"));
        Assert.Equal("primary-owner", (await Client.GetUserAsync("W111"))["name"]!.GetValue<string>());

        Assert.Equal("9.9", Body("chat.postEphemeral")["thread_ts"]!.GetValue<string>());
        Assert.Equal("U1", Body("chat.postEphemeral")["user"]!.GetValue<string>());
        Assert.Equal("1.1", Body("chat.delete")["ts"]!.GetValue<string>());
        Assert.Equal("trig", Body("views.open")["trigger_id"]!.GetValue<string>());
        Assert.Equal("trig2", Body("views.push")["trigger_id"]!.GetValue<string>());
        Assert.Equal("h1", Body("views.update")["hash"]!.GetValue<string>());
        Assert.Equal("V1", Body("views.update")["view_id"]!.GetValue<string>());
        Assert.Equal("U1", Body("conversations.open")["users"]!.GetValue<string>());
        Assert.Equal("W111", Body("users.info")["user"]!.GetValue<string>());
        Assert.All(slack.Server.LogEntries, e => Assert.Equal("Bearer " + SlackTestHost.BotToken, e.RequestMessage.Headers!["Authorization"].ToString()));
    }

    [Fact]
    public async Task Proactive_sender_posts_then_updates_in_place()
    {
        var proactive = host.Services.GetServices<IProactiveChannel>().Single(c => c.Channel == "slack");
        var address = new JsonObject { ["team"] = "T1", ["channel"] = "C777", ["thread_ts"] = "5.5" };

        var id = await proactive.SendAsync(address, UiMessage.Text("Deploying…"), null);
        var updatedId = await proactive.SendAsync(address, UiMessage.Text("Deployed"), id);

        Assert.Equal(FakeSlackApi.PostedTs, id);
        Assert.Equal(FakeSlackApi.PostedTs, updatedId);
        var post = Body("chat.postMessage");
        Assert.Equal("C777", post["channel"]!.GetValue<string>());
        Assert.Equal("5.5", post["thread_ts"]!.GetValue<string>());
        var update = Body("chat.update");
        Assert.Equal("C777", update["channel"]!.GetValue<string>());
        Assert.Equal(FakeSlackApi.PostedTs, update["ts"]!.GetValue<string>());
        Assert.Equal("Deployed", update["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Proactive_sender_moves_private_or_unreachable_conversations_to_the_direct_message()
    {
        var proactive = host.Services.GetServices<IProactiveChannel>().Single(c => c.Channel == "slack");
        var ephemeral = new JsonObject { ["team"] = "T1", ["channel"] = "C777", ["user"] = "U1", ["ephemeral"] = true };

        var id = await proactive.SendAsync(ephemeral, UiMessage.Text("Deploying…"), "ephemeral:1.1");
        Assert.Equal("D0DIRECT/" + FakeSlackApi.PostedTs, id);
        Assert.Equal("D0DIRECT", Body("chat.postMessage")["channel"]!.GetValue<string>());

        await proactive.SendAsync(ephemeral, UiMessage.Text("Deployed"), id);
        Assert.Equal("D0DIRECT", Body("chat.update")["channel"]!.GetValue<string>());
        Assert.Equal(FakeSlackApi.PostedTs, Body("chat.update")["ts"]!.GetValue<string>());

        slack.Server.Given(Request.Create().WithPath("/api/chat.postMessage").UsingPost().WithBody(b => b!.Contains("C404"))).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"ok":false,"error":"not_in_channel"}"""));
        var moved = await proactive.SendAsync(new JsonObject { ["channel"] = "C404", ["user"] = "U1" }, UiMessage.Text("Hello"), null);
        Assert.Equal("D0DIRECT/" + FakeSlackApi.PostedTs, moved);
    }

    private JsonObject Body(string method) => Assert.Single(slack.Calls(method)).Body!;
}
