using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments;

namespace PartnerBot.Api.Modules.Policy;

public static class ModulePolicyServiceCollectionExtensions
{
    /// <summary>The <see cref="ModulePolicy"/> with the allow lists of <c>Deployments:AllowedProviders</c> and <c>Deployments:AllowedModuleSources</c>.</summary>
    public static IServiceCollection AddModulePolicy(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var deployments = sp.GetRequiredService<IOptions<DeploymentOptions>>().Value;
            return new ModulePolicy(new ModulePolicyRules(deployments.AllowedProviders.ToList(), deployments.AllowedModuleSources.ToList()));
        });
        return services;
    }
}
