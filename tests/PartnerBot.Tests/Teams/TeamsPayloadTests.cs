using System.Net;
using System.Text.Json.Nodes;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Tests.Teams;

/// <summary>Every real Teams payload from TestData/Teams/inbound gets the response Teams expects.</summary>
public sealed class TeamsPayloadTests(TeamsTestHost host) : IClassFixture<TeamsTestHost>
{
    public static TheoryData<string> Payloads() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", "Teams", "inbound"), "*.json").Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task Each_real_payload_is_handled_with_the_expected_kind_of_response(string file)
    {
        host.Reset();
        var activity = host.Payload(file);
        var type = activity["type"]!.GetValue<string>();

        var response = await host.PostAuthenticatedAsync(activity);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        switch (type)
        {
            case "message":
                Assert.Equal("", body);
                var reply = Assert.Single(host.ConnectorCalls());
                Assert.Equal("POST", reply.RequestMessage.Method);
                // The stub reports the decoded path; the encoding itself is checked in TeamsConnectorClientTests.
                Assert.Equal($"/amer/v3/conversations/{activity["conversation"]!["id"]}/activities/{activity["id"]}",
                    reply.RequestMessage.AbsolutePath);
                break;
            case "invoke" when activity["name"] is null:
                Assert.Equal("", body);
                Assert.Single(host.ConnectorCalls());
                Assert.Equal(TurnKind.CardAction, Assert.Single(host.Bot.Turns).Kind);
                break;
            case "invoke":
                Assert.NotEqual("", body);
                var json = JsonNode.Parse(body)!;
                Assert.True(json["task"] is not null || json["statusCode"] is not null, body);
                Assert.Empty(host.ConnectorCalls());
                break;
            case "conversationUpdate":
                Assert.Equal("", body);
                var botAdded = activity["membersAdded"]!.AsArray().Any(m => m!["id"]!.GetValue<string>() == activity["recipient"]!["id"]!.GetValue<string>());
                if (botAdded)
                {
                    Assert.Equal(TurnKind.ConversationStart, Assert.Single(host.Bot.Turns).Kind);
                    var welcome = Assert.Single(host.ConnectorCalls());
                    Assert.Contains("Welcome to PartnerBot", welcome.RequestMessage.Body);
                }
                else
                {
                    Assert.Empty(host.Bot.Turns);
                    Assert.Empty(host.ConnectorCalls());
                }
                break;
            default:
                Assert.Fail($"unexpected activity type {type}");
                break;
        }
    }

    [Fact]
    public async Task Channel_mention_is_stripped_and_identity_uses_the_aad_object_id()
    {
        host.Reset();
        var activity = host.Payload("teams-message-channel-mention.json");

        await host.PostAuthenticatedAsync(activity);

        var turn = Assert.Single(host.Bot.Turns);
        Assert.Equal(TurnKind.Message, turn.Kind);
        Assert.Equal("1", turn.Text);
        Assert.Equal("msteams", turn.Channel);
        Assert.Equal("msteams:19:097e6717fd7245bdbeba6baa13840db8@thread.skype;messageid=1571537152320", turn.ConversationKey);
        Assert.Equal("6b703ce3-6d14-4fe6-b90c-dc5f03657ae4", turn.From.UserId);
        Assert.Equal("72f988bf-86f1-41af-91ab-2d7cd011db47", turn.From.TenantId);
        Assert.Equal("Dave Taniguchi", turn.From.DisplayName);
        Assert.True(turn.IsGroupConversation);
        Assert.Equal(activity["id"]!.GetValue<string>(), turn.ActivityId);
    }

    [Fact]
    public async Task Reply_carries_the_bot_token_from_the_token_endpoint_and_the_text()
    {
        host.Reset();
        var activity = host.Payload("teams-message-channel-mention.json");
        await host.PostAuthenticatedAsync(activity);

        var reply = Assert.Single(host.ConnectorCalls()).RequestMessage;
        Assert.Equal($"Bearer {ChannelIdentityServer.BotAccessToken}", reply.Headers!["Authorization"].Single());
        var body = JsonNode.Parse(reply.Body!)!;
        Assert.Equal("message", body["type"]!.GetValue<string>());
        Assert.Equal("You said: 1", body["text"]!.GetValue<string>());
        Assert.Equal(activity["id"]!.GetValue<string>(), body["replyToId"]!.GetValue<string>());
        Assert.Equal("28:eac5e5c6-ab14-4f50-80cb-49213fe51b1a", body["from"]!["id"]!.GetValue<string>());
        Assert.True(host.Identity.TokenRequests >= 1);
    }

    [Fact]
    public async Task Action_submit_and_message_back_become_card_actions_with_the_value_as_data()
    {
        host.Reset();
        var activity = host.Payload("teams-message-adaptivecard-submit-inputs.json");
        activity["value"]!["verb"] = "answer";

        await host.PostAuthenticatedAsync(activity);
        await host.PostAuthenticatedAsync(host.Payload("teams-message-adaptivecard-submit-messageback.json"));

        var turns = host.Bot.Turns.ToArray();
        Assert.Equal(2, turns.Length);
        Assert.All(turns, t => Assert.Equal(TurnKind.CardAction, t.Kind));
        Assert.Equal("answer", turns[0].Verb);
        Assert.Equal("", turns[0].Data!["Answer"]!.GetValue<string>());
        Assert.Null(turns[1].Verb);
        Assert.Equal("value", turns[1].Data!["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task Action_execute_answers_with_the_replacement_card_on_the_same_response()
    {
        host.Reset();
        var activity = host.Payload("teams-invoke-adaptivecard-action.COMPOSED.json");
        activity["replyToId"] = "1:acted-card";

        var response = await host.PostAuthenticatedAsync(activity);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        var turn = Assert.Single(host.Bot.Turns);
        Assert.Equal(TurnKind.CardAction, turn.Kind);
        Assert.Equal("food", turn.Verb);
        Assert.Equal("vegan", turn.Data!["item"]!.GetValue<string>());
        Assert.Equal(200, body["statusCode"]!.GetValue<int>());
        Assert.Equal("application/vnd.microsoft.card.adaptive", body["type"]!.GetValue<string>());
        var card = body["value"]!;
        Assert.Equal("AdaptiveCard", card["type"]!.GetValue<string>());
        Assert.Contains("You chose food", card.ToJsonString());
        Assert.Equal("29:1CFIxRJBLjT_io3iNsDZxMk_4YPWQmr3DZUM1I6ihf5L2ocCDqg9S1vkHK6kRdGfK1P_2LFE2nQqFIvdu-GBOZA",
            card["refresh"]!["userIds"]![0]!.GetValue<string>());
        Assert.Empty(host.ConnectorCalls());

        // Teams' automatic refresh for that user is answered with the same card, without running a turn.
        var refresh = host.Payload("teams-invoke-adaptivecard-action.COMPOSED.json");
        refresh["id"] = "f:refresh-1";
        refresh["replyToId"] = "1:acted-card";
        refresh["value"] = new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = "refresh", ["data"] = new JsonObject { ["verb"] = "refresh" } },
            ["trigger"] = "automatic",
        };
        var refreshed = JsonNode.Parse(await (await host.PostAuthenticatedAsync(refresh)).Content.ReadAsStringAsync())!;
        Assert.Equal(card.ToJsonString(), refreshed["value"]!.ToJsonString());
        Assert.Single(host.Bot.Turns);
    }

    [Fact]
    public async Task Action_execute_without_a_card_answers_with_a_message_and_sends_text_through_the_connector()
    {
        host.Reset();
        host.Bot.Behaviour = (_, responder, ct) => responder.SendAsync(PartnerBot.Cards.Model.UiMessage.Text("Deployment started."), ct);

        var response = await host.PostAuthenticatedAsync(host.Payload("teams-invoke-adaptivecard-action.COMPOSED.json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal("application/vnd.microsoft.activity.message", body["type"]!.GetValue<string>());
        Assert.Equal("Deployment started.", body["value"]!.GetValue<string>());
        Assert.Single(host.ConnectorCalls());
    }

    [Fact]
    public async Task Further_messages_during_an_execute_turn_go_through_the_connector()
    {
        host.Reset();
        host.Bot.Behaviour = async (turn, responder, ct) =>
        {
            await responder.SendAsync(RecordingChatBot.ChoiceCard(turn.Verb), ct);
            await responder.SendAsync(RecordingChatBot.WelcomeMenu, ct);
        };

        var response = await host.PostAuthenticatedAsync(host.Payload("teams-invoke-adaptivecard-action.COMPOSED.json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Contains("You chose food", body["value"]!.ToJsonString());
        var sent = Assert.Single(host.ConnectorCalls());
        Assert.Contains("Welcome to PartnerBot", sent.RequestMessage.Body);
    }

    [Fact]
    public async Task Task_fetch_answers_with_a_continue_dialog_holding_the_card()
    {
        host.Reset();
        var activity = host.Payload("teams-invoke-task-fetch.json");
        activity["value"]!["data"]!["verb"] = "deploy";

        var response = await host.PostAuthenticatedAsync(activity);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        var turn = Assert.Single(host.Bot.Turns);
        Assert.Equal("deploy", turn.Verb);
        Assert.Equal("continue", body["task"]!["type"]!.GetValue<string>());
        Assert.Equal("You chose deploy", body["task"]!["value"]!["title"]!.GetValue<string>());
        Assert.Equal("application/vnd.microsoft.card.adaptive", body["task"]!["value"]!["card"]!["contentType"]!.GetValue<string>());
        Assert.Equal("AdaptiveCard", body["task"]!["value"]!["card"]!["content"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Task_submit_with_a_text_answer_shows_a_message()
    {
        host.Reset();
        host.Bot.Behaviour = (_, responder, ct) => responder.SendAsync(PartnerBot.Cards.Model.UiMessage.Text("Saved."), ct);

        var response = await host.PostAuthenticatedAsync(host.Payload("teams-invoke-task-submit.json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal("some text", Assert.Single(host.Bot.Turns).Data!["usertext"]!.GetValue<string>());
        Assert.Equal("message", body["task"]!["type"]!.GetValue<string>());
        Assert.Equal("Saved.", body["task"]!["value"]!.GetValue<string>());
        Assert.Empty(host.ConnectorCalls());
    }

    [Fact]
    public async Task A_redelivered_invoke_runs_once_and_gets_the_same_answer()
    {
        host.Reset();
        var activity = host.Payload("teams-invoke-adaptivecard-action.COMPOSED.json");
        activity["id"] = "f:redelivered-invoke";

        var first = await (await host.PostAuthenticatedAsync(activity)).Content.ReadAsStringAsync();
        var second = await (await host.PostAuthenticatedAsync(activity)).Content.ReadAsStringAsync();

        Assert.Single(host.Bot.Turns);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task A_redelivered_message_is_processed_once()
    {
        host.Reset();
        var activity = host.Payload("teams-message-channel-mention.json");
        activity["id"] = "redelivered-message";

        Assert.Equal(HttpStatusCode.OK, (await host.PostAuthenticatedAsync(activity)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.PostAuthenticatedAsync(activity)).StatusCode);

        Assert.Single(host.Bot.Turns);
        Assert.Single(host.ConnectorCalls());
    }

    [Fact]
    public async Task The_conversation_address_round_trips_the_reference_and_tenant()
    {
        host.Reset();
        await host.PostAuthenticatedAsync(host.Payload("teams-message-channel-mention.json"));

        var address = Assert.Single(host.Bot.Addresses);
        Assert.Equal("72f988bf-86f1-41af-91ab-2d7cd011db47", address["tenantId"]!.GetValue<string>());
        Assert.Equal(host.ServiceUrl, address["reference"]!["serviceUrl"]!.GetValue<string>());
        Assert.Equal("19:097e6717fd7245bdbeba6baa13840db8@thread.skype;messageid=1571537152320",
            address["reference"]!["conversation"]!["id"]!.GetValue<string>());
    }
}

/// <summary>A host whose invoke budget is short, to see what Teams gets when a turn is slow.</summary>
public sealed class ShortBudgetTeamsHost : IAsyncLifetime
{
    public TeamsTestHost Host { get; } = new() { InvokeBudget = TimeSpan.FromMilliseconds(300) };
    public Task InitializeAsync() => Host.InitializeAsync();
    public Task DisposeAsync() => Host.DisposeAsync();
}

public sealed class TeamsSlowInvokeTests(ShortBudgetTeamsHost fixture) : IClassFixture<ShortBudgetTeamsHost>
{
    private TeamsTestHost Host => fixture.Host;

    [Fact]
    public async Task A_slow_execute_is_answered_within_the_budget_and_its_card_goes_to_the_chat()
    {
        Host.Reset();
        var finished = new TaskCompletionSource();
        Host.Bot.Behaviour = async (turn, responder, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5), ct);
            await responder.SendAsync(RecordingChatBot.ChoiceCard(turn.Verb), ct);
            finished.SetResult();
        };

        var response = await Host.PostAuthenticatedAsync(Host.Payload("teams-invoke-adaptivecard-action.COMPOSED.json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal("application/vnd.microsoft.activity.message", body["type"]!.GetValue<string>());
        Assert.Empty(Host.ConnectorCalls()); // answered before the turn sent anything
        await finished.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var sent = Assert.Single(Host.ConnectorCalls());
        Assert.Contains("You chose food", sent.RequestMessage.Body);
    }

    [Fact]
    public async Task A_slow_task_fetch_shows_a_message_instead_of_timing_out()
    {
        Host.Reset();
        Host.Bot.Behaviour = (_, _, ct) => Task.Delay(TimeSpan.FromSeconds(1), ct);

        var response = await Host.PostAuthenticatedAsync(Host.Payload("teams-invoke-task-fetch.json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal("message", body["task"]!["type"]!.GetValue<string>());
    }
}
