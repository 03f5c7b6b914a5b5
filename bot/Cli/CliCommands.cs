using System.CommandLine;

namespace PartnerBot.Bot.Cli;

/// <summary>Every verb besides <c>serve</c>, one line per feature.</summary>
internal static class CliCommands
{
    public static IEnumerable<Command> All()
    {
        yield return ModuleCommands.Create(ModuleFormCommand.Create());
        yield return ApiKeyCommands.Create();
        yield return TeamsCommands.Create();
        yield return SlackCommands.Create();
    }
}
