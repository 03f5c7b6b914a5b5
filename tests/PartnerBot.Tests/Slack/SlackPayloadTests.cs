using System.Net;
using System.Text.Json.Nodes;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;

namespace PartnerBot.Tests.Slack;

/// <summary>Every sample payload through the real endpoint, signed with the test secret, answered on the fake Slack API.</summary>
public sealed class SlackPayloadTests : IAsyncLifetime
{
    private readonly FakeSlackApi slack = new();
    private readonly RecordingChatBot bot;
    private SlackTestHost host = null!;

    public SlackPayloadTests()
    {
        bot = new RecordingChatBot(async (turn, responder, ct) =>
        {
            if (turn.Kind == TurnKind.Message)
                await responder.SendAsync(new UiMessage($"You said: {turn.Text}", [new UiText($"You said: {turn.Text}")],
                    [new UiAction("Deploy", "deploy", new JsonObject { ["module"] = "vm" })]), ct);
            else if (turn.Verb == "a")
                await responder.SendAsync(new UiFormStepElement(OneStepForm, 0, new Dictionary<string, string?>(), new Dictionary<string, string>()).ToMessage(), ct);
        });
    }

    private static readonly UiForm OneStepForm = new("form-1", "Form", [new UiFormStep("one", "One", [new UiInput("name", UiInputKind.Text, "Name")])]);

    public async Task InitializeAsync() => host = await SlackTestHost.StartAsync(slack.ApiBaseUrl, SlackTestData.TempDatabase(), bot);

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        slack.Dispose();
    }

    [Fact]
    public async Task Url_verification_is_answered_with_the_challenge()
    {
        var body = SlackTestData.Payload("slack-url-verification.json");
        using var response = await host.PostJsonAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(body["challenge"]!.GetValue<string>(), answer["challenge"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("slack-event-app-mention.json", "Hi there!", "T111:W222", "C111")]
    [InlineData("slack-event-app-mention.docs-example.json", "is it everything a river should be?", "T123ABC456:U061F7AUR", "C123ABC456")]
    public async Task App_mention_becomes_a_message_turn_and_the_reply_lands_on_the_web_api(string file, string text, string userId, string channel)
    {
        using var response = await host.PostJsonAsync(SlackTestData.Payload(file));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var turn = await bot.NextTurnAsync();
        Assert.Equal(TurnKind.Message, turn.Kind);
        Assert.Equal(text, turn.Text);
        Assert.Equal("slack", turn.From.Channel);
        Assert.Equal(userId, turn.From.UserId);
        Assert.Equal("Prim", turn.From.DisplayName);
        Assert.Equal("owner@example.com", turn.From.Email);
        Assert.Equal($"slack:{userId.Split(':')[0]}:{channel}", turn.ConversationKey);
        Assert.True(turn.IsGroupConversation);

        var post = Assert.Single(await slack.WaitForCallsAsync("chat.postMessage"));
        AssertWellFormed(post);
        Assert.Equal(channel, post.Body!["channel"]!.GetValue<string>());
        Assert.Equal($"You said: {text}", post.Body["text"]!.GetValue<string>());
        var button = post.Body["blocks"]!.AsArray().Single(b => (string?)b!["type"] == "actions")!["elements"]![0]!;
        Assert.Equal("deploy", button["action_id"]!.GetValue<string>());
        Assert.Equal("vm", JsonNode.Parse(button["value"]!.GetValue<string>())!["module"]!.GetValue<string>());
        var lookup = Assert.Single(slack.Calls("users.info"));
        AssertWellFormed(lookup);
        Assert.Equal(userId.Split(':')[1], lookup.Body!["user"]!.GetValue<string>());
    }

    [Fact]
    public async Task Direct_message_becomes_a_message_turn_and_bot_messages_are_ignored()
    {
        var dm = SlackTestData.Payload("slack-event-app-mention.json");
        dm["event_id"] = "EvDM1";
        dm["event"]!["type"] = "message";
        dm["event"]!["channel_type"] = "im";
        dm["event"]!["channel"] = "D111";
        dm["event"]!["text"] = "deploy";
        var fromBot = dm.DeepClone().AsObject();
        fromBot["event_id"] = "EvDM2";
        fromBot["event"]!["bot_id"] = "B111";
        fromBot["event"]!["text"] = "my own reply";

        using (await host.PostJsonAsync(fromBot)) { }
        using (await host.PostJsonAsync(dm)) { }

        var turn = await bot.NextTurnAsync();
        Assert.Equal("deploy", turn.Text);
        Assert.Equal("slack:T111:D111", turn.ConversationKey);
        Assert.False(turn.IsGroupConversation);
        await slack.WaitForCallsAsync("chat.postMessage");
        Assert.Single(bot.Turns);
    }

    [Fact]
    public async Task Slash_command_sample_for_another_command_gets_the_usage_hint()
    {
        using var response = await host.PostSignedAsync(SlackTestData.Text("payloads/slack-slash-command.form.txt"), "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ephemeral", answer["response_type"]!.GetValue<string>());
        Assert.Contains("/hello-world", answer["text"]!.GetValue<string>());
        Assert.Empty(bot.Turns);
    }

    [Fact]
    public async Task Partnerbot_slash_command_starts_the_matching_dialog_with_ephemeral_replies_in_a_channel()
    {
        var form = SlackTestData.Text("payloads/slack-slash-command.form.txt")
            .Replace("command=%2Fhello-world", "command=%2Fpartnerbot").Replace("text=Hi", "text=deploy+vm-basic");
        using var response = await host.PostSignedAsync(form, "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());

        var turn = await bot.NextTurnAsync();
        Assert.Equal("deploy vm-basic", turn.Text);
        Assert.Equal("slack:T111:C111", turn.ConversationKey);
        Assert.Equal("T111:W111", turn.From.UserId);
        var ephemeral = Assert.Single(await slack.WaitForCallsAsync("chat.postEphemeral"));
        AssertWellFormed(ephemeral);
        Assert.Equal("W111", ephemeral.Body!["user"]!.GetValue<string>());
        Assert.Equal("C111", ephemeral.Body["channel"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_partnerbot_subcommand_gets_the_usage_hint()
    {
        var form = SlackTestData.Text("payloads/slack-slash-command.form.txt")
            .Replace("command=%2Fhello-world", "command=%2Fpartnerbot").Replace("text=Hi", "text=dance");
        using var response = await host.PostSignedAsync(form, "application/x-www-form-urlencoded");
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains("dance", answer["text"]!.GetValue<string>());
        Assert.Contains(SlackRoutes.UsageHint(ChatRouteTable.Product()), answer["text"]!.GetValue<string>());
        Assert.Empty(bot.Turns);
    }

    [Fact]
    public async Task Block_actions_sample_becomes_a_card_action_whose_trigger_opens_a_modal()
    {
        using var response = await host.PostInteractionAsync(SlackTestData.Payload("slack-block-actions.json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var turn = await bot.NextTurnAsync();
        Assert.Equal(TurnKind.CardAction, turn.Kind);
        Assert.Equal("a", turn.Verb);
        Assert.Equal("click_me_123", turn.Data!["value"]!.GetValue<string>());
        Assert.Equal("slack:T111:C111", turn.ConversationKey);

        var open = Assert.Single(await slack.WaitForCallsAsync("views.open"));
        AssertWellFormed(open);
        Assert.Equal("111.222.valid", open.Body!["trigger_id"]!.GetValue<string>());
        Assert.Equal("modal", open.Body["view"]!["type"]!.GetValue<string>());
        var metadata = SlackViewMetadata.TryParse(open.Body["view"]!["private_metadata"]!.GetValue<string>())!;
        Assert.Equal("C111", metadata.ChannelId);
        Assert.Equal("form.submit", metadata.Verb);
    }

    [Fact]
    public async Task Button_data_is_the_json_value_and_the_verb_loses_its_uniqueness_suffix()
    {
        var payload = SlackTestData.Payload("slack-block-actions.json");
        payload["actions"]![0]!["action_id"] = "deploy.pick:3";
        payload["actions"]![0]!["value"] = """{"module":"vm-basic"}""";
        using (await host.PostInteractionAsync(payload)) { }
        var turn = await bot.NextTurnAsync();
        Assert.Equal("deploy.pick", turn.Verb);
        Assert.Equal("vm-basic", turn.Data!["module"]!.GetValue<string>());
    }

    [Fact]
    public async Task View_submission_sample_of_a_foreign_view_closes_it_without_a_turn()
    {
        using var response = await host.PostInteractionAsync(SlackTestData.Payload("slack-view-submission.json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        Assert.Empty(bot.Turns);
    }

    [Fact]
    public async Task View_submission_of_our_modal_becomes_the_card_action_with_the_inputs()
    {
        var payload = SlackTestData.Payload("slack-view-submission.json");
        payload["view"]!["private_metadata"] = new SlackViewMetadata("T111", "C111", null, false, "form-1", 0, "form.submit",
            new JsonObject { ["formId"] = "form-1" }).Serialize();
        using var response = await host.PostInteractionAsync(payload);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var turn = await bot.NextTurnAsync();
        Assert.Equal(TurnKind.CardAction, turn.Kind);
        Assert.Equal("form.submit", turn.Verb);
        Assert.Equal("form-1", turn.Data!["formId"]!.GetValue<string>());
        Assert.Equal("test", turn.Data["maBWU"]!.GetValue<string>());
        Assert.Equal("slack:T111:C111", turn.ConversationKey);
    }

    [Fact]
    public async Task Closing_our_modal_becomes_form_cancel_and_link_button_clicks_are_ignored()
    {
        var link = SlackTestData.Payload("slack-block-actions.json");
        link["actions"]![0]!["action_id"] = "link";
        link["actions"]![0]!["url"] = "https://docs.example.com";
        using (await host.PostInteractionAsync(link)) { }

        var closed = SlackTestData.Payload("slack-view-submission.json");
        closed["type"] = "view_closed";
        closed["is_cleared"] = false;
        closed["view"]!["private_metadata"] = new SlackViewMetadata("T111", "C111", null, false, "form-1", 1, "form.next",
            new JsonObject { ["formId"] = "form-1", ["step"] = 1 }).Serialize();
        using var response = await host.PostInteractionAsync(closed);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var turn = await bot.NextTurnAsync();
        Assert.Equal("form.cancel", turn.Verb);
        Assert.Equal("form.cancel", turn.Data!["verb"]!.GetValue<string>());
        Assert.Equal("form-1", turn.Data["formId"]!.GetValue<string>());
        Assert.Equal(1, turn.Data["step"]!.GetValue<int>());
        Assert.Single(bot.Turns);
    }

    [Fact]
    public async Task Ssl_check_is_answered_and_oversized_bodies_get_413_and_malformed_ones_400()
    {
        using (var ssl = await host.Client.PostAsync(SlackRoutes.Events, new FormUrlEncodedContent(new Dictionary<string, string> { ["ssl_check"] = "1", ["token"] = "x" })))
            Assert.Equal(HttpStatusCode.OK, ssl.StatusCode);

        using (var large = await host.PostSignedAsync("{\"type\":\"event_callback\",\"pad\":\"" + new string('x', 300 * 1024) + "\"}", "application/json"))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
            Assert.Equal("application/problem+json", large.Content.Headers.ContentType?.MediaType);
        }
        using (var malformed = await host.PostSignedAsync("{\"type\": ", "application/json"))
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using (var noEvent = await host.PostSignedAsync("{\"type\":\"event_callback\"}", "application/json"))
            Assert.Equal(HttpStatusCode.BadRequest, noEvent.StatusCode);
        using (var badForm = await host.PostSignedAsync("payload=%7Bnot-json", "application/x-www-form-urlencoded"))
            Assert.Equal(HttpStatusCode.BadRequest, badForm.StatusCode);
        using (var unsigned = await host.Client.PostAsync(SlackRoutes.Events, new StringContent("{\"type\":\"url_verification\",\"challenge\":\"c\"}")))
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Empty(bot.Turns);
    }

    private static void AssertWellFormed(SlackCall call)
    {
        Assert.Equal("Bearer " + SlackTestHost.BotToken, call.Authorization);
        Assert.Equal("application/json; charset=utf-8", call.ContentType);
        Assert.NotNull(call.Body);
    }
}
