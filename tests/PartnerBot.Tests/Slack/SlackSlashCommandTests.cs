using System.Net;
using System.Text.Json.Nodes;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Tests.Slack;

/// <summary>
/// Every main-menu command of the route table is a slash command of its own (<c>/deploy x</c> is
/// <c>/partnerbot deploy x</c>); any other slash command is answered with the usage, and runs no turn.
/// </summary>
public sealed class SlackSlashCommandTests : IAsyncLifetime
{
    private readonly FakeSlackApi slack = new();
    private readonly RecordingChatBot bot = new();
    private SlackTestHost host = null!;

    public async Task InitializeAsync() => host = await SlackTestHost.StartAsync(slack.ApiBaseUrl, SlackTestData.TempDatabase(), bot);

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        slack.Dispose();
    }

    [Fact]
    public async Task A_menu_command_of_its_own_runs_as_that_command()
    {
        using var ack = await host.PostSignedAsync(Command("%2Fdeploy", "web-app"), "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);

        var turn = await bot.NextTurnAsync();
        Assert.Equal("deploy web-app", turn.Text);
    }

    [Fact]
    public async Task An_unknown_slash_command_gets_the_usage_and_runs_no_turn()
    {
        using var ack = await host.PostSignedAsync(Command("%2Fhello-world", "Hi"), "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var answer = JsonNode.Parse(await ack.Content.ReadAsStringAsync())!;
        Assert.Equal("ephemeral", answer["response_type"]!.GetValue<string>());
        Assert.Contains("Unknown command /hello-world", answer["text"]!.GetValue<string>());
        Assert.Contains(SlackRoutes.SlashCommand + " [", answer["text"]!.GetValue<string>());

        await Task.Delay(500);
        Assert.Empty(bot.Turns);
    }

    [Fact]
    public void The_manifest_registers_each_menu_command()
    {
        var routes = ChatRouteTable.Product();
        var commands = SlackManifest.Build("https://partnerbot.example.com", routes)["features"]!["slash_commands"]!.AsArray()
            .Select(c => c!["command"]!.GetValue<string>()).ToList();
        Assert.Equal(SlackRoutes.SlashCommand, commands[0]);
        Assert.Contains("/deploy", commands);
        Assert.Equal(routes.Commands.Count(c => c.MenuTitle is not null) + 1, commands.Count);
        Assert.All(commands.Skip(1), c => Assert.NotNull(routes.FindCommand(c[1..])));
    }

    private static string Command(string command, string text) =>
        SlackTestData.Text("payloads/slack-slash-command.form.txt")
            .Replace("command=%2Fhello-world", "command=" + command).Replace("text=Hi", "text=" + text);
}
