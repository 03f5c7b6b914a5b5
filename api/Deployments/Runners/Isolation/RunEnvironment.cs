using System.Text;

namespace PartnerBot.Api.Deployments.Runners.Isolation;

/// <summary>
/// The environment of a Terraform run. Nothing is inherited from the bot's process (its secrets live there): a run gets
/// <c>PATH</c>, a <c>HOME</c> inside its run folder, the automation switches, the partner's plugin cache, a CLI
/// configuration of its own, the state backend's variables, and only the host variables an operator names in
/// <c>Deployments:Local:PassEnvironment</c>.
/// </summary>
public static class RunEnvironment
{
    public const string HomeFolder = ".home";
    public const string CliConfigFile = ".terraformrc";

    /// <summary>Names the platform sets itself; <c>PassEnvironment</c> may not override them.</summary>
    public static IReadOnlySet<string> Reserved { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "PATH", "HOME", "TF_IN_AUTOMATION", "TF_INPUT", "CHECKPOINT_DISABLE", "TF_PLUGIN_CACHE_DIR",
        "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE", "TF_CLI_CONFIG_FILE", "TF_DATA_DIR",
    };

    public static string Home(string workFolder) => Path.Combine(workFolder, HomeFolder);

    /// <param name="hostVariable">Reads a variable of the bot's process (only for the names passed on).</param>
    public static Dictionary<string, string> Build(string searchPath, string workFolder, string pluginCache, IEnumerable<string> passOn,
        IReadOnlyDictionary<string, string>? backend, Func<string, string?> hostVariable)
    {
        var home = Home(workFolder);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = searchPath,
            ["HOME"] = home,
            ["TF_IN_AUTOMATION"] = "1",
            ["TF_INPUT"] = "0",
            ["CHECKPOINT_DISABLE"] = "1",
            ["TF_PLUGIN_CACHE_DIR"] = pluginCache,
            // A new deployment has no lock file yet; without this Terraform would download every provider again for it.
            ["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] = "true",
            ["TF_CLI_CONFIG_FILE"] = Path.Combine(home, CliConfigFile),
        };
        foreach (var name in passOn)
            if (!Reserved.Contains(name) && hostVariable(name) is { } value) environment[name] = value;
        foreach (var (name, value) in backend ?? new Dictionary<string, string>()) environment[name] = value;
        return environment;
    }

    /// <summary>The CLI configuration of a run: with a mirror, providers come only from it, so init needs no network.</summary>
    public static string CliConfiguration(string? pluginMirror)
    {
        var text = new StringBuilder("# The Terraform CLI configuration of this run, written by PartnerBot.\n");
        if (pluginMirror is { Length: > 0 })
            text.Append("provider_installation {\n  filesystem_mirror {\n    path = \"")
                .Append(pluginMirror.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("${", "$${").Replace("%{", "%%{"))
                .Append("\"\n  }\n}\n");
        return text.ToString();
    }
}
