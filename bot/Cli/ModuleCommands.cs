using System.CommandLine;
using PartnerBot.Api.Modules;

namespace PartnerBot.Bot.Cli;

/// <summary>
/// The <c>module</c> verb. <c>inspect</c> lives here; other features add their sub-verbs (e.g. <c>form</c>)
/// by passing them to <see cref="Create"/>.
/// </summary>
internal static class ModuleCommands
{
    public static Command Create(InvocationDirectory invocation, params Command[] extraSubcommands)
    {
        var module = new Command("module", "Work with Terraform modules.");
        module.Subcommands.Add(CreateInspect(invocation));
        foreach (var subcommand in extraSubcommands) module.Subcommands.Add(subcommand);
        return module;
    }

    private static Command CreateInspect(InvocationDirectory invocation)
    {
        var directories = new Argument<string[]>("DIR")
        {
            Description = "Module folders; the *.tf files directly in each are parsed.",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per folder (JSON Lines)." };
        var inspect = new Command("inspect", "Parse module folders and print their model.") { directories, json };
        inspect.SetAction(parseResult =>
        {
            var dirs = parseResult.GetValue(directories) ?? [];
            var asJson = parseResult.GetValue(json);
            return Inspect(dirs, asJson, Console.Out, invocation);
        });
        return inspect;
    }

    /// <summary>Prints one line per folder; 0 when every folder parsed (valid module or not), 1 otherwise.</summary>
    internal static int Inspect(IEnumerable<string> directories, bool json, TextWriter output, InvocationDirectory? invocation = null)
    {
        var exitCode = 0;
        foreach (var directory in directories)
        {
            var result = ModuleLoader.LoadDirectory(directory, invocation?.Path);
            if (!result.Parsed) exitCode = 1;
            output.WriteLine(json ? ModuleInspectJson.ToJsonLine(result) : Describe(result));
        }
        return exitCode;
    }

    private static string Describe(ModuleLoadResult result)
    {
        if (result.Module is not { } module) return $"{result.Name}: error: {result.Error}";
        var inputs = module.Variables.Count(v => !v.IsMetadata);
        var status = module.Valid ? "valid module" : "not listed";
        var problems = module.Problems.Count == 0 ? "" : Environment.NewLine + string.Join(Environment.NewLine, module.Problems.Select(p => "  - " + p));
        return $"{module.Name}: {status}, {inputs} inputs, {module.Metadata.CreditCost} credits{problems}";
    }
}
