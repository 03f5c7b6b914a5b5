using System.CommandLine;
using System.Text.Json;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Bot.Cli;

/// <summary><c>slack manifest</c>: prints the Slack app manifest for the configured <c>PublicBaseUrl</c>.</summary>
internal static class SlackCommands
{
    public static Command Create()
    {
        var slack = new Command("slack", "Slack app set-up.");
        var manifest = new Command("manifest", "Print the Slack app manifest (JSON) for the configured PublicBaseUrl.");
        manifest.SetAction(parse =>
        {
            var configuration = CliConfiguration.Load();
            var publicBaseUrl = configuration["PublicBaseUrl"];
            if (string.IsNullOrWhiteSpace(publicBaseUrl))
            {
                parse.InvocationConfiguration.Error.WriteLine("PublicBaseUrl is not set; set it to the bot's public https address.");
                return 1;
            }
            try
            {
                var json = SlackManifest.Build(publicBaseUrl, ChatRouteTable.Product()).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
                parse.InvocationConfiguration.Output.WriteLine(json);
                return 0;
            }
            catch (ArgumentException e)
            {
                parse.InvocationConfiguration.Error.WriteLine(e.Message);
                return 1;
            }
        });
        slack.Subcommands.Add(manifest);
        return slack;
    }
}
