using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Deployments.State;

public static class TerraformStateServiceCollectionExtensions
{
    /// <summary>
    /// Terraform state: the store behind the built-in http backend, per-deployment credentials, the backend settings
    /// each run gets (<see cref="TerraformBackendConfiguration"/>) and stale-lock recovery.
    /// </summary>
    public static IServiceCollection AddTerraformState(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeploymentOptions>, TerraformBackendOptionsValidator>());
        services.AddStorageContainer(TerraformStateStore.Container);
        services.AddStorageContainer(TerraformStateCredentials.Container);
        services.TryAddSingleton<TerraformStateStore>();
        services.TryAddSingleton<TerraformStateCredentials>();
        services.TryAddSingleton<TerraformBackendConfiguration>();
        services.TryAddSingleton<TerraformStateLockRecovery>();
        return services;
    }
}
