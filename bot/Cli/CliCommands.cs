using System.CommandLine;

namespace PartnerBot.Bot.Cli;

/// <summary>Every verb besides <c>serve</c>, one line per feature.</summary>
internal static class CliCommands
{
    public static IEnumerable<Command> All(InvocationDirectory invocation)
    {
        yield return ModuleCommands.Create(invocation, ModuleFormCommand.Create(invocation));
        yield return ApiKeyCommands.Create();
        yield return TeamsCommands.Create(invocation);
        yield return SlackCommands.Create();
        yield return RunnerCommands.Create();
    }
}
