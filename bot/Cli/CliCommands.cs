using System.CommandLine;

namespace PartnerBot.Bot.Cli;

/// <summary>Every verb besides <c>serve</c>, one line per feature.</summary>
internal static class CliCommands
{
    public static IEnumerable<Command> All()
    {
        yield return ModuleCommands.Create();
        yield return SlackCommands.Create();
    }
}
