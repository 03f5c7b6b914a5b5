using System.Net;
using System.Text.Json.Nodes;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Tests.Slack;

/// <summary>
/// Every chat command of the route table works as a <c>/partnerbot</c> sub-command, through the signed endpoint, the
/// product's own bot and the fake Slack Web API: the answers come from the commands' handlers, not the usage hint.
/// </summary>
public sealed class SlackSlashSubcommandTests : IAsyncLifetime
{
    private readonly FakeSlackApi slack = new();
    private SlackTestHost host = null!;

    public async Task InitializeAsync() =>
        host = await SlackTestHost.StartAsync(slack.ApiBaseUrl, SlackTestData.TempDatabase(), bot: null);

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        slack.Dispose();
    }

    [Theory]
    [InlineData("tickets", "You have not sent any support request yet")]
    [InlineData("sync", "Connect your GitHub account first")]
    [InlineData("admin users", "Admin commands are only for admins")]
    [InlineData("guides", "Pick a guide, or search them all")]
    [InlineData("guides credits", "Guides matching")]
    [InlineData("menu", "What would you like to do?")]
    [InlineData("cancel", "There was nothing to cancel")]
    [InlineData("help", "Stop what is in progress")]
    public async Task A_sub_command_of_the_route_table_reaches_its_handler(string text, string expected)
    {
        using (var ack = await host.PostSignedAsync(SlashCommand(text), "application/x-www-form-urlencoded"))
        {
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
            Assert.DoesNotContain("I don't know", await ack.Content.ReadAsStringAsync());
        }
        var answer = await WaitForPostAsync(m => Text(m).Contains(expected, StringComparison.Ordinal));
        Assert.Equal("D111", (string?)answer["channel"]);
    }

    [Fact]
    public async Task Cancel_during_a_dialog_cancels_it()
    {
        using (await host.PostSignedAsync(SlashCommand("billing"), "application/x-www-form-urlencoded")) { }
        await WaitForPostAsync(m => Text(m).Contains("billing.tab", StringComparison.Ordinal));
        using (await host.PostSignedAsync(SlashCommand("cancel"), "application/x-www-form-urlencoded")) { }
        await WaitForPostAsync(m => Text(m).Contains("Cancelled. What would you like to do next?"));
    }

    [Fact]
    public async Task An_unknown_sub_command_gets_the_usage_hint_of_the_route_table()
    {
        using var response = await host.PostSignedAsync(SlashCommand("dance"), "application/x-www-form-urlencoded");
        var text = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["text"]!.GetValue<string>();

        Assert.Contains("I don't know \"dance\"", text);
        var hint = SlackRoutes.UsageHint(ChatRouteTable.Product());
        Assert.Contains(hint, text);
        foreach (var command in new[] { "deploy", "tickets", "sync", "admin", "guides", "menu", "cancel", "help" })
            Assert.Contains(command, hint.Trim('[').Split(']')[0].Split('|'));
        Assert.Empty(slack.Calls("chat.postMessage"));
    }

    private static string SlashCommand(string text) => SlackTestData.Text("payloads/slack-slash-command.form.txt")
        .Replace("command=%2Fhello-world", "command=%2Fpartnerbot").Replace("text=Hi", "text=" + Uri.EscapeDataString(text))
        .Replace("channel_id=C111", "channel_id=D111").Replace("trigger_id=111.111.xxx", "trigger_id=trigger-" + Guid.NewGuid().ToString("N")[..8]);

    private static string Text(JsonObject message) => message["text"]?.ToString() + " " + message["blocks"]?.ToJsonString();

    private async Task<JsonObject> WaitForPostAsync(Func<JsonObject, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (slack.Calls("chat.postMessage").Select(c => c.Body!).FirstOrDefault(match) is { } found) return found;
            await Task.Delay(50);
        }
        throw new TimeoutException("No matching chat.postMessage. Posted:\n" +
            string.Join("\n", slack.Calls("chat.postMessage").Select(c => Text(c.Body!)[..Math.Min(400, Text(c.Body!).Length)])));
    }
}
