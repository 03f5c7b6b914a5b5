using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;

namespace PartnerBot.Tests.Slack;

/// <summary>
/// A deployment journey in Slack terms, end to end through the endpoint and the fake Web API: slash command →
/// catalog message → button → modal step 1 → invalid value (errors in the modal) → fixed → step 2 → submit →
/// status message updated in place. The dialog is a small two-step test bot that validates like the real one.
/// </summary>
public sealed partial class SlackJourneyTests : IAsyncLifetime
{
    private readonly FakeSlackApi slack = new();
    private SlackTestHost host = null!;

    public async Task InitializeAsync() =>
        host = await SlackTestHost.StartAsync(slack.ApiBaseUrl, SlackTestData.TempDatabase(), new TwoStepDeployBot());

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        slack.Dispose();
    }

    [Fact]
    public async Task Slash_command_to_catalog_to_modal_steps_with_validation_to_status_update()
    {
        // 1. /partnerbot deploy in the direct message with the bot.
        var command = SlackTestData.Text("payloads/slack-slash-command.form.txt")
            .Replace("command=%2Fhello-world", "command=%2Fpartnerbot").Replace("text=Hi", "text=deploy")
            .Replace("channel_id=C111", "channel_id=D111").Replace("trigger_id=111.111.xxx", "trigger_id=trigger-command");
        using (var ack = await host.PostSignedAsync(command, "application/x-www-form-urlencoded"))
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);

        var catalog = Assert.Single(await slack.WaitForCallsAsync("chat.postMessage")).Body!;
        Assert.Equal("D111", catalog["channel"]!.GetValue<string>());
        var button = catalog["blocks"]!.AsArray().Single(b => (string?)b!["type"] == "actions")!["elements"]![0]!.AsObject();

        // 2. The user clicks "Deploy vm-basic": its trigger id opens step 1 as a modal.
        var click = SlackTestData.Payload("slack-block-actions.json");
        click["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = FakeSlackApi.PostedTs, ["channel_id"] = "D111", ["is_ephemeral"] = false };
        click["channel"] = new JsonObject { ["id"] = "D111", ["name"] = "directmessage" };
        click["trigger_id"] = "trigger-click";
        click["actions"]![0]!["action_id"] = button["action_id"]!.GetValue<string>();
        click["actions"]![0]!["value"] = button["value"]!.GetValue<string>();
        using (var ack = await host.PostInteractionAsync(click))
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);

        var open = Assert.Single(await slack.WaitForCallsAsync("views.open")).Body!;
        Assert.Equal("trigger-click", open["trigger_id"]!.GetValue<string>());
        var step1 = open["view"]!.AsObject();
        Assert.Contains(step1["blocks"]!.AsArray(), b => (string?)b!["block_id"] == "name");

        // 3. An invalid name: the errors come back in the HTTP answer, under the input.
        var invalid = Assert.IsType<JsonObject>(await SubmitAsync(step1, new JsonObject { ["name"] = new JsonObject { ["name"] = TextValue("Bad Name!") } }));
        Assert.Equal("errors", invalid["response_action"]!.GetValue<string>());
        Assert.Contains("lower-case", invalid["errors"]!["name"]!.GetValue<string>());

        // 4. Fixed: the modal moves on to step 2.
        var next = Assert.IsType<JsonObject>(await SubmitAsync(step1, new JsonObject { ["name"] = new JsonObject { ["name"] = TextValue("web-01") } }));
        Assert.Equal("update", next["response_action"]!.GetValue<string>());
        var step2 = next["view"]!.AsObject();
        Assert.Contains(step2["blocks"]!.AsArray(), b => (string?)b!["block_id"] == "size");
        Assert.Equal("Submit", step2["submit"]!["text"]!.GetValue<string>());

        // 5. Submitted: the modal closes, a status message is posted and then updated in place.
        var done = await SubmitAsync(step2, new JsonObject
        {
            ["size"] = new JsonObject { ["size"] = new JsonObject { ["type"] = "static_select", ["selected_option"] = new JsonObject { ["value"] = "large" } } },
        });
        Assert.Null(done);

        var update = Assert.Single(await slack.WaitForCallsAsync("chat.update")).Body!;
        var status = slack.Calls("chat.postMessage")[1].Body!;
        Assert.Equal("D111", status["channel"]!.GetValue<string>());
        Assert.Contains("Deploying web-01 (large)", status["text"]!.GetValue<string>());
        Assert.Equal("D111", update["channel"]!.GetValue<string>());
        Assert.Equal(FakeSlackApi.PostedTs, update["ts"]!.GetValue<string>());
        Assert.Contains("web-01 is running", update["text"]!.GetValue<string>());
        Assert.Single(slack.Calls("views.open"));
    }

    private static JsonObject TextValue(string text) => new() { ["type"] = "plain_text_input", ["value"] = text };

    /// <summary>Submits <paramref name="view"/> as Slack would; returns the JSON answer, or null for an empty 200.</summary>
    private async Task<JsonObject?> SubmitAsync(JsonObject view, JsonObject stateValues)
    {
        var payload = SlackTestData.Payload("slack-view-submission.json");
        var submitted = view.DeepClone().AsObject();
        submitted["id"] = FakeSlackApi.OpenedViewId;
        submitted["hash"] = Guid.NewGuid().ToString("N");
        submitted["state"] = new JsonObject { ["values"] = stateValues };
        payload["view"] = submitted;
        using var response = await host.PostInteractionAsync(payload);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Catalog → two-step form (name, size) with server-side validation → status message updated in place.</summary>
    private sealed partial class TwoStepDeployBot : IChatBot
    {
        private static readonly UiForm Form = new("deploy-vm-basic", "Deploy vm-basic",
        [
            new UiFormStep("basics", "Basics", [new UiInput("name", UiInputKind.Text, "Name", Required: true)]),
            new UiFormStep("size", "Size", [new UiInput("size", UiInputKind.Choice, "Size", Required: true,
                Options: [new UiChoice("Small", "small"), new UiChoice("Large", "large")])]),
        ]);

        private readonly ConcurrentDictionary<string, string> names = new();

        public async Task OnTurnAsync(IncomingTurn turn, ITurnResponder responder, CancellationToken ct = default)
        {
            var empty = new Dictionary<string, string?>();
            var noErrors = new Dictionary<string, string>();
            switch (turn.Kind, turn.Text, turn.Verb)
            {
                case (TurnKind.Message, "deploy", _):
                    await responder.SendAsync(new UiMessage("Module catalog", [new UiHeading("Module catalog"), new UiText("vm-basic: a small VM")],
                        [new UiAction("Deploy vm-basic", CardVerbs.DeployPick, new JsonObject { ["module"] = "vm-basic" }, UiActionStyle.Primary)]), ct);
                    break;
                case (TurnKind.CardAction, _, CardVerbs.DeployPick) when ModuleOf(turn) == "vm-basic":
                    await responder.SendAsync(new UiFormStepElement(Form, 0, empty, noErrors).ToMessage(), ct);
                    break;
                case (TurnKind.CardAction, _, CardVerbs.FormNext):
                    var name = (string?)turn.Data?["name"] ?? "";
                    if (!NamePattern().IsMatch(name))
                    {
                        await responder.SendAsync(new UiFormStepElement(Form, 0, new Dictionary<string, string?> { ["name"] = name },
                            new Dictionary<string, string> { ["name"] = "Use lower-case letters, digits and dashes." }).ToMessage(), ct);
                        return;
                    }
                    names[turn.ConversationKey] = name;
                    await responder.SendAsync(new UiFormStepElement(Form, 1, empty, noErrors).ToMessage(), ct);
                    break;
                case (TurnKind.CardAction, _, CardVerbs.FormSubmit):
                    var deployment = names[turn.ConversationKey];
                    var size = (string?)turn.Data?["size"];
                    var id = await responder.SendAsync(UiMessage.Text($"Deploying {deployment} ({size})…"), ct);
                    await responder.UpdateAsync(id!, UiMessage.Text($"✅ {deployment} is running."), ct);
                    break;
            }
        }

        private static string? ModuleOf(IncomingTurn turn) => turn.Data is { } data ? (string?)data["module"] : null;

        [GeneratedRegex("^[a-z0-9-]+$")]
        private static partial Regex NamePattern();
    }
}
