using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Modules.Policy;

namespace PartnerBot.Api.Deployments.Runners.Isolation;

/// <summary>A run ready to start (<see cref="Process"/>), or the reason it may not (<see cref="Refusal"/>).</summary>
internal sealed record PreparedRun(TerraformProcess? Process, RunOutcome? Refusal);

/// <summary>
/// Sets up how Terraform is launched for one run of the Local runner: checks partner modules against the module
/// policy, refuses them where there is no sandbox, finds the CLI, prepares the run's <c>HOME</c>, CLI configuration
/// and the partner's plugin cache, and builds the empty-by-default environment and the bubblewrap command line.
/// </summary>
public sealed partial class TerraformLauncher(
    IOptions<DeploymentOptions> options,
    RunSandbox sandbox,
    ModulePolicy policy,
    DeploymentWorkFolders folders,
    IConfiguration configuration,
    IHostEnvironment environment,
    ILogger<TerraformLauncher> logger)
{
    public const string PluginCacheFolder = ".plugin-cache";

    /// <summary>The folder holding one plugin cache per partner.</summary>
    public string PluginCacheRoot => options.Value.Local.PluginCache is { Length: > 0 } configured
        ? Path.GetFullPath(configured)
        : Path.Combine(folders.Root, PluginCacheFolder);

    /// <summary>
    /// The partner's own cache: <c>terraform init</c> writes to it and a run's providers (e.g. <c>hashicorp/local</c>) can
    /// write files, so one shared cache would let one partner plant a provider another partner's run then executes.
    /// </summary>
    public string PluginCacheFor(string partnerId) => Path.Combine(PluginCacheRoot, SafeName(partnerId));

    /// <param name="backendEnvironment">The state backend's variables (e.g. <c>TF_HTTP_PASSWORD</c>), added to the run's environment.</param>
    /// <param name="remoteBackend">The state lives in a backend reached over the network (any but the local one): the sandbox shares the network.</param>
    internal async Task<PreparedRun> PrepareAsync(RunRequest request, string workFolder, IRunObserver observer, CancellationToken ct,
        IReadOnlyDictionary<string, string>? backendEnvironment = null, bool remoteBackend = false)
    {
        var local = options.Value.Local;
        var analysis = policy.Analyze(request.Files);
        if (PartnerModuleGate.Check(request, analysis) is { } blocked)
        {
            logger.LogWarning("Deployment {DeploymentId}: module {Module} of {Owner} is blocked by the module policy: {Violations}",
                request.DeploymentId, request.Module.Name, request.Module.Owner, analysis.Describe(20));
            return new PreparedRun(null, blocked);
        }

        var status = await sandbox.GetStatusAsync(ct);
        var refusal = status.Refusal ?? (PartnerModuleGate.IsPartnerModule(request) ? status.PartnerRefusal : null);
        if (refusal is not null)
        {
            logger.LogError("Deployment {DeploymentId}: module {Module} of {Owner} was not run: {Reason}",
                request.DeploymentId, request.Module.Name, request.Module.Owner, refusal);
            return new PreparedRun(null, RunOutcome.Failed(refusal) with { Internal = true });
        }

        var searchPath = local.SearchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "";
        var executable = ExecutableLocator.Find(local.Command, searchPath);
        if (executable is null) return new PreparedRun(null, RunOutcome.Failed(LocalTerraformRunner.MissingBinaryMessage(local.Command)));

        var pluginCache = PluginCacheFor(request.PartnerId);
        Directory.CreateDirectory(pluginCache);
        var home = RunEnvironment.Home(workFolder);
        Directory.CreateDirectory(home);
        await File.WriteAllTextAsync(Path.Combine(home, RunEnvironment.CliConfigFile), RunEnvironment.CliConfiguration(Mirror), ct);
        var variables = RunEnvironment.Build(searchPath, workFolder, pluginCache, local.PassEnvironment, backendEnvironment,
            Environment.GetEnvironmentVariable);

        var network = analysis.NeedsNetwork || remoteBackend;
        SandboxCommand? command = null;
        if (status.Bubblewrap is { } bubblewrap)
        {
            command = new SandboxCommand(bubblewrap, BubblewrapArguments.For(
                new SandboxedRun(workFolder, executable, pluginCache, Mirror, network, HiddenPaths())));
            await observer.LogAsync($"Running in a bubblewrap sandbox, {(network ? "with" : "without")} network access.", ct);
        }
        else
        {
            await observer.LogAsync("Running without a sandbox, from an empty environment.", ct);
        }
        return new PreparedRun(new TerraformProcess(new TerraformLaunch(executable, workFolder, variables, command, local.GracePeriod), observer), null);
    }

    private string? Mirror => options.Value.Local.PluginMirror is { Length: > 0 } mirror ? Path.GetFullPath(mirror) : null;

    /// <summary>The bot's own folders: its program, content root, database folder and the work root with every run.</summary>
    private List<string> HiddenPaths()
    {
        var paths = new List<string> { AppContext.BaseDirectory, environment.ContentRootPath, folders.Root };
        if (configuration["Storage:Sqlite:Path"] is { Length: > 0 } database && Path.GetDirectoryName(Path.GetFullPath(database)) is { } folder)
            paths.Add(folder);
        return paths.Where(p => !string.IsNullOrEmpty(p)).Select(Path.GetFullPath).ToList();
    }

    private static string SafeName(string value)
    {
        var safe = UnsafeCharacters().Replace(value, "_");
        return safe.StartsWith('.') ? "_" + safe : safe;
    }

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex UnsafeCharacters();
}
