using System.CommandLine;
using PartnerBot.Bot.Hosting;

namespace PartnerBot.Bot.Cli;

/// <summary>The verbs of the one executable. <c>serve</c> is the default.</summary>
public static class PartnerBotCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("PartnerBot: chat-driven self-service deployment of Terraform modules.");

        var serve = new Command("serve", "Serve the bot, the API and the local Web Chat page (default).");
        serve.SetAction((_, ct) => BotHost.RunAsync([], ct));
        root.Subcommands.Add(serve);

        foreach (var command in CliCommands.All()) root.Subcommands.Add(command);

        // No verb (or only host options such as --urls) means serve.
        if (args.Length == 0 || args[0].StartsWith('-') && args[0] is not ("-h" or "--help" or "-?" or "--version"))
            return await BotHost.RunAsync(args, CancellationToken.None);

        return await root.Parse(args).InvokeAsync();
    }
}
