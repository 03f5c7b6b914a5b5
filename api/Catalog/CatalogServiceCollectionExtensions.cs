using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Catalog;

public static class CatalogServiceCollectionExtensions
{
    /// <summary>The module catalog (<see cref="IModuleCatalog"/>) and the start-up load of the platform modules folder.</summary>
    public static IServiceCollection AddPartnerBotCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IModuleCatalog, ModuleCatalog>();
        services.AddStorageContainer(ModuleCatalog.Container, "/nameLower");
        services.TryAddSingleton<PlatformCatalogLoader>();
        services.AddHostedService(sp => sp.GetRequiredService<PlatformCatalogLoader>());
        return services;
    }
}
