using System.CommandLine;
using System.Reflection;

namespace PartnerBot.Bot.Cli;

/// <summary>
/// <c>runner workflow</c>: prints the GitHub Actions workflow of the GitHubActions runner for the configured
/// <c>PublicBaseUrl</c>; <c>runner script</c>: prints the script that workflow calls.
/// </summary>
internal static class RunnerCommands
{
    public const string WorkflowResource = "PartnerBot.Runners.GitHubActions.Workflow";
    public const string ScriptResource = "PartnerBot.Runners.GitHubActions.Script";
    /// <summary>Where the shipped workflow file holds the bot's address; the verb writes <c>PublicBaseUrl</c> there.</summary>
    private const string PublicBaseUrlMarker = "__PUBLIC_BASE_URL__";

    public static Command Create()
    {
        var runner = new Command("runner", "GitHub Actions runner set-up.");
        var workflow = new Command("workflow", "Print the GitHub Actions workflow (YAML) for the configured PublicBaseUrl.");
        workflow.SetAction(parse =>
        {
            var configuration = CliConfiguration.Load();
            var publicBaseUrl = configuration["PublicBaseUrl"];
            if (string.IsNullOrWhiteSpace(publicBaseUrl)
                || !Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                parse.InvocationConfiguration.Error.WriteLine("PublicBaseUrl must be the bot's public https address, e.g. https://bot.example.com.");
                return 1;
            }
            parse.InvocationConfiguration.Output.Write(Read(WorkflowResource).Replace(PublicBaseUrlMarker, publicBaseUrl.TrimEnd('/'), StringComparison.Ordinal));
            return 0;
        });
        var script = new Command("script", "Print runners/github-actions/partnerbot-run.sh, the script the workflow runs.");
        script.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.Write(Read(ScriptResource));
            return 0;
        });
        runner.Subcommands.Add(workflow);
        runner.Subcommands.Add(script);
        return runner;
    }

    private static string Read(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The resource {resource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
