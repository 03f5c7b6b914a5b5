using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners;
using PartnerBot.Api.Deployments.Runners.Isolation;
using PartnerBot.Api.Modules.Policy;

namespace PartnerBot.Tests.Deployments.Isolation;

/// <summary>The Local runner with its launcher, sandbox and policy, wired as the host wires them, without a host.</summary>
internal static class LocalRunnerFactory
{
    public static IHostEnvironment Environment(string name) =>
        new HostingEnvironment { EnvironmentName = name, ApplicationName = "partnerbot", ContentRootPath = AppContext.BaseDirectory };

    public static LocalTerraformRunner Create(DeploymentOptions deployments, string environment = "Production",
        IDictionary<string, string?>? configuration = null, ILoggerFactory? logs = null)
    {
        var (launcher, folders) = Launcher(deployments, environment, configuration, logs);
        return new LocalTerraformRunner(folders, launcher, (logs ?? NullLoggerFactory.Instance).CreateLogger<LocalTerraformRunner>());
    }

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
