using static PartnerBot.Tests.Slack.BlockKitTestReader;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Tests.Deployments;

namespace PartnerBot.Tests.Slack;

/// <summary>
/// The real deploy dialog in Slack terms, through the endpoint, SQLite, a Terraform stand-in and the fake Slack API:
/// /partnerbot deploy → catalog message → Deploy button → modal steps (an invalid value comes back as modal errors,
/// then fixed) → confirmation → status message posted and updated in place until it says Succeeded.
/// </summary>
public sealed class SlackDeployJourneyTests : IAsyncLifetime
{
    private readonly FakeSlackApi slack = new();
    private readonly FakeTerraform terraform = new();
    private SlackTestHost host = null!;

    public async Task InitializeAsync() =>
        host = await SlackTestHost.StartAsync(slack.ApiBaseUrl, SlackTestData.TempDatabase(), bot: null, settings: new Dictionary<string, string?>
        {
            ["Deployments:Runner"] = "Local",
            ["Deployments:Local:SearchPath"] = terraform.SearchPath,
            ["Deployments:Local:Sandbox"] = "none", // the stand-in CLI writes its call log beside itself
            ["Credits:SignupAward"] = "100",
        });

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        terraform.Dispose();
        slack.Dispose();
    }

    [Fact]
    public async Task Slash_command_to_catalog_to_modal_steps_with_an_error_to_an_updated_status_message()
    {
        using (var ack = await host.PostSignedAsync(SlashCommand("deploy"), "application/x-www-form-urlencoded"))
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var catalog = await WaitForPostAsync(m => m["text"]!.ToString().Contains("catalog", StringComparison.OrdinalIgnoreCase) || Buttons(m).Any(b => Verb(b) == "deploy.pick"));
        var pick = Buttons(catalog).First(b => Verb(b) == "deploy.pick" && Value(b)["module"]?.ToString() == "Network");

        await ClickAsync(pick, "trigger-pick");
        var step = (await slack.WaitForCallsAsync("views.open"))[0].Body!;
        Assert.Equal("trigger-pick", step["trigger_id"]!.GetValue<string>());
        var view = step["view"]!.AsObject();
        Assert.Contains(InputBlocks(view), b => (string?)b["block_id"] == "project_id");

        // An invalid project id: the modal shows the error under the field.
        var rejected = await SubmitAsync(view, new() { ["project_id"] = "Not A Valid Id", ["region"] = "europe-west1" });
        Assert.Equal("errors", (string?)rejected!["response_action"]);
        Assert.Contains("Project ID must be", (string?)rejected["errors"]!["project_id"]);

        // Fixed: the remaining steps follow in the same modal until it closes.
        var values = new Dictionary<string, string> { ["project_id"] = "acme-prod-1", ["region"] = "europe-west1", ["subnet_count"] = "3", ["enable_nat"] = "true" };
        for (var guard = 0; ; guard++)
        {
            Assert.True(guard < 10, "the form never ended");
            var answer = await SubmitAsync(view, values);
            if (answer is null) break;
            Assert.Equal("update", (string?)answer["response_action"]);
            view = answer["view"]!.AsObject();
        }

        var confirm = await WaitForPostAsync(m => Buttons(m).Any(b => Verb(b) == "deploy.confirm"));
        Assert.Contains("10 credits", Text(confirm));
        await ClickAsync(Buttons(confirm).Single(b => Verb(b) == "deploy.confirm"), "trigger-confirm");

        var status = await WaitForPostAsync(m => Text(m).Contains("Network:") && !Text(m).Contains("private virtual network"));
        Assert.Equal("D111", (string?)status["channel"]);
        // The plan card replaces the status message: the summary, Apply and Discard.
        var plan = await WaitForAsync(() => slack.Calls("chat.update").Select(c => c.Body!)
            .LastOrDefault(u => Text(u).Contains("1 to add, 0 to change, 0 to destroy") && Buttons(u).Any(b => Verb(b) == "deployments.apply")), TimeSpan.FromSeconds(60));
        Assert.Contains(Buttons(plan), b => Verb(b) == "deployments.discard");
        await ClickAsync(Buttons(plan).Single(b => Verb(b) == "deployments.apply"), "trigger-apply");
        var succeeded = await WaitForAsync(() => slack.Calls("chat.update").Select(c => c.Body!).LastOrDefault(u => Text(u).Contains("Succeeded")), TimeSpan.FromSeconds(60));
        Assert.Equal("D111", (string?)succeeded["channel"]);
        Assert.Equal(FakeSlackApi.PostedTs, (string?)succeeded["ts"]);

        var user = await host.Services.GetRequiredService<UserDirectory>().FindByIdentityAsync("slack", "T111:W111");
        var list = await host.Services.GetRequiredService<IDeploymentService>().ListAsync(new DeploymentCaller(user!.Id, false), false, null, null);
        var deployment = Assert.Single(list.Items);
        Assert.Equal(DeploymentState.Success, deployment.State);
        Assert.Equal("acme-prod-1", (string?)deployment.Inputs["project_id"]);
        Assert.Single(slack.Calls("views.open"));
    }

    [Fact]
    public async Task Deploying_an_unknown_module_answers_with_one_message_that_says_so_and_shows_the_catalog()
    {
        using (var ack = await host.PostSignedAsync(SlashCommand("deploy no-such-module"), "application/x-www-form-urlencoded"))
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var answer = await WaitForPostAsync(m => Text(m).Contains("can't find a module called", StringComparison.Ordinal));
        Assert.Contains("no-such-module", (string?)answer["text"]);
        Assert.Contains(Buttons(answer), b => Verb(b) == "deploy.pick" && Value(b)["module"]?.ToString() == "Network");

        // Turns of one conversation are answered in order: once the next turn's catalog is posted, the first turn said
        // everything it had to say, in that one message.
        using (var ack = await host.PostSignedAsync(SlashCommand("deploy").Replace("trigger-command", "trigger-second"), "application/x-www-form-urlencoded"))
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        await WaitForPostAsync(m => !Text(m).Contains("can't find", StringComparison.Ordinal) && Buttons(m).Any(b => Verb(b) == "deploy.pick"));
        Assert.Equal(2, slack.Calls("chat.postMessage").Count);
    }

    private static string SlashCommand(string text) => SlackTestData.Text("payloads/slack-slash-command.form.txt")
        .Replace("command=%2Fhello-world", "command=%2Fpartnerbot").Replace("text=Hi", "text=" + Uri.EscapeDataString(text))
        .Replace("channel_id=C111", "channel_id=D111").Replace("trigger_id=111.111.xxx", "trigger_id=trigger-command");

    private async Task ClickAsync(JsonObject button, string triggerId)
    {
        var click = SlackTestData.Payload("slack-block-actions.json");
        click["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = FakeSlackApi.PostedTs, ["channel_id"] = "D111", ["is_ephemeral"] = false };
        click["channel"] = new JsonObject { ["id"] = "D111", ["name"] = "directmessage" };
        click["trigger_id"] = triggerId;
        click["actions"]![0]!["action_id"] = button["action_id"]!.GetValue<string>();
        click["actions"]![0]!["value"] = button["value"]!.GetValue<string>();
        click["actions"]![0]!["action_ts"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 + "";
        using var ack = await host.PostInteractionAsync(click);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
    }

    /// <summary>Submits the modal as Slack does: every input block's current value in <c>view.state.values</c>.</summary>
    private async Task<JsonObject?> SubmitAsync(JsonObject view, Dictionary<string, string> values)
    {
        var state = ViewState(view, values);
        var payload = SlackTestData.Payload("slack-view-submission.json");
        var submitted = view.DeepClone().AsObject();
        submitted["id"] = FakeSlackApi.OpenedViewId;
        submitted["hash"] = Guid.NewGuid().ToString("N");
        submitted["state"] = new JsonObject { ["values"] = state };
        payload["view"] = submitted;
        using var response = await host.PostInteractionAsync(payload);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject();
    }

    private Task<JsonObject> WaitForPostAsync(Func<JsonObject, bool> match) =>
        WaitForAsync(() => slack.Calls("chat.postMessage").Select(c => c.Body!).FirstOrDefault(match), TimeSpan.FromSeconds(15));

    private async Task<JsonObject> WaitForAsync(Func<JsonObject?> find, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (find() is { } found) return found;
            await Task.Delay(50);
        }
        throw new TimeoutException("The expected Slack call did not arrive. Calls so far:\n" + string.Join("\n",
            slack.Server.LogEntries.Select(e => e.RequestMessage.Path + " " + e.RequestMessage.Body?[..Math.Min(300, e.RequestMessage.Body.Length)])));
    }
}
