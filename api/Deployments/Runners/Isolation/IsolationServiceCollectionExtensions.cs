using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Modules.Policy;

namespace PartnerBot.Api.Deployments.Runners.Isolation;

public static class IsolationServiceCollectionExtensions
{
    /// <summary>Time the host gives itself to stop beyond the grace period (saving logs, releasing leases).</summary>
    public static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How the Local runner launches Terraform: the module policy, the sandbox (decided and logged at start-up), the
    /// launcher, their settings' validation, and a host shutdown long enough for an interrupted run's grace period.
    /// </summary>
    public static IServiceCollection AddTerraformIsolation(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeploymentOptions>, IsolationOptionsValidator>());
        services.AddModulePolicy();
        services.TryAddSingleton<RunSandbox>();
        services.TryAddSingleton<TerraformLauncher>();
        services.AddHostedService<SandboxStartupCheck>();
        services.AddOptions<HostOptions>().Configure<IOptions<DeploymentOptions>>((host, deployments) =>
        {
            var needed = deployments.Value.Local.GracePeriod + ShutdownMargin;
            if (deployments.Value.Runner == RunnerKind.Local && host.ShutdownTimeout < needed) host.ShutdownTimeout = needed;
        });
        return services;
    }
}
