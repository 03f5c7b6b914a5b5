using System.CommandLine;
using PartnerBot.Bot.Hosting;

namespace PartnerBot.Bot.Cli;

/// <summary>The verbs of the one executable. <c>serve</c> is the default.</summary>
public static class PartnerBotCli
{
    public static async Task<int> RunAsync(string[] commandLine)
    {
        var (invocation, args) = InvocationDirectory.FromArguments(commandLine);
        var root = new RootCommand("PartnerBot: chat-driven self-service deployment of Terraform modules.");

        var serve = new Command("serve", "Serve the bot, the API and the local Web Chat page (default).");
        // Host options (--urls, --environment, Key=Value) pass through to the host as they would without the verb.
        serve.TreatUnmatchedTokensAsErrors = false;
        serve.SetAction((parseResult, ct) => BotHost.RunAsync([.. parseResult.UnmatchedTokens], ct));
        root.Subcommands.Add(serve);

        foreach (var command in CliCommands.All(invocation)) root.Subcommands.Add(command);

        // No verb (or only host options such as --urls) means serve.
        if (args.Length == 0 || args[0].StartsWith('-') && args[0] is not ("-h" or "--help" or "-?" or "--version"))
            return await BotHost.RunAsync(args, CancellationToken.None);

        return await root.Parse(args).InvokeAsync();
    }
}
