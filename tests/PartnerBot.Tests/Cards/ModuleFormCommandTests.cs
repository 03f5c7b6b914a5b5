using System.Diagnostics;
using System.Text.Json.Nodes;
using PartnerBot.Bot.Cli;
using PartnerBot.Cards.BlockKit;
using static PartnerBot.Tests.Cards.CardTestSupport;

namespace PartnerBot.Tests.Cards;

public class ModuleFormCommandTests
{
    private static string Blog => TestData("Modules", "Blog");

    [Theory]
    [InlineData("teams")]
    [InlineData("webchat")]
    [InlineData("slack")]
    public void Prints_one_element_per_step_for_each_channel(string channel)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, ModuleFormCommand.Run(Blog, channel, "create", json: true, output, error));
        var steps = JsonNode.Parse(output.ToString())!.AsArray();
        Assert.Equal(3, steps.Count);
        foreach (var step in steps)
        {
            if (channel == "slack")
            {
                Assert.Equal("modal", (string?)step!["type"]);
                BlockKitRendererTests.AssertWithinLimits(BlockKitLimits.CheckView(step.AsObject()));
            }
            else
            {
                AssertValidCard(step!.AsObject());
                var action = step["actions"]![0]!;
                Assert.Equal(channel == "teams" ? "Action.Execute" : "Action.Submit", (string?)action["type"]);
            }
        }
    }

    [Fact]
    public void Unreadable_folder_fails_with_a_message_and_exit_code_1()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(1, ModuleFormCommand.Run(Path.Combine(Path.GetTempPath(), "no-such-module-" + Guid.NewGuid()), "teams", "create", json: true, output, error));
        Assert.Contains("no such directory", error.ToString());
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task The_executable_prints_the_form_as_a_json_array()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "partnerbot.dll"), "module", "form", Blog, "--channel", "slack", "--mode", "update", "--json" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await stderr);
        var steps = JsonNode.Parse(await stdout)!.AsArray();
        Assert.Equal(3, steps.Count);
        Assert.Equal("Update Blog", (string?)steps[0]!["title"]!["text"]);
    }
}
