using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners;
using PartnerBot.Api.Deployments.Runners.Isolation;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Api.Modules.Policy;
using PartnerBot.Tests.Deployments.State;

namespace PartnerBot.Tests.Deployments.Isolation;

/// <summary>The Local runner with its launcher, sandbox and policy, wired as the host wires them, without a host.</summary>
internal static class LocalRunnerFactory
{
    public static IHostEnvironment Environment(string name) =>
        new HostingEnvironment { EnvironmentName = name, ApplicationName = "partnerbot", ContentRootPath = AppContext.BaseDirectory };

    public static BackedLocalRunner Create(DeploymentOptions deployments, string environment = "Production",
        IDictionary<string, string?>? configuration = null, ILoggerFactory? logs = null)
    {
        var (launcher, folders) = Launcher(deployments, environment, configuration, logs);
        var backend = Backend;
        return new BackedLocalRunner(new LocalTerraformRunner(folders, launcher, backend.Get<TerraformBackendConfiguration>(),
            backend.Get<TerraformStateLockRecovery>(), backend.Get<TerraformStateStore>(),
            (logs ?? NullLoggerFactory.Instance).CreateLogger<LocalTerraformRunner>()), backend);
    }

    private static readonly Lazy<StateBackendHost> SharedBackend = new(() =>
    {
        var host = new StateBackendHost();
        host.InitializeAsync().GetAwaiter().GetResult();
        return host;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The state backend the runners of these tests keep their state in: one running host for the test process, as
    /// one PartnerBot host serves all of its runs.
    /// </summary>
    public static StateBackendHost Backend => SharedBackend.Value;

    public static (TerraformLauncher Launcher, DeploymentWorkFolders Folders) Launcher(DeploymentOptions deployments,
        string environment = "Production", IDictionary<string, string?>? configuration = null, ILoggerFactory? logs = null)
    {
        logs ??= NullLoggerFactory.Instance;
        var options = Options.Create(deployments);
        var settings = new ConfigurationBuilder().AddInMemoryCollection(configuration ?? new Dictionary<string, string?>()).Build();
        var host = Environment(environment);
        var folders = new DeploymentWorkFolders(options, settings);
        var policy = new ModulePolicy(new ModulePolicyRules(deployments.AllowedProviders, deployments.AllowedModuleSources));
        var launcher = new TerraformLauncher(options, new RunSandbox(options, host, logs.CreateLogger<RunSandbox>()), policy, folders, settings, host,
            logs.CreateLogger<TerraformLauncher>());
        return (launcher, folders);
    }
}

/// <summary>
/// The Local runner over <see cref="LocalRunnerFactory.Backend"/>: a run's deployment is recorded there first, as the
/// deployment worker's would be, because the state backend serves only deployments it knows.
/// </summary>
internal sealed class BackedLocalRunner(LocalTerraformRunner runner, StateBackendHost backend) : IDeploymentRunner
{
    public string Name => runner.Name;
    public bool SavesPlans => runner.SavesPlans;

    public async Task<RunOutcome> RunAsync(RunRequest request, IRunObserver observer, CancellationToken ct)
    {
        await backend.EnsureDeploymentAsync(request.DeploymentId, request.PartnerId);
        return await runner.RunAsync(request, observer, ct);
    }
}
