using Microsoft.Extensions.DependencyInjection;

namespace PartnerBot.Tests.Slack;

/// <summary>
/// Applies test registrations after every registration of the host, so a test's chat bot or clock replaces the
/// product's own.
/// </summary>
internal sealed class LastWordServiceProviderFactory(Action<IServiceCollection> overrides) : IServiceProviderFactory<IServiceCollection>
{
    public IServiceCollection CreateBuilder(IServiceCollection services) => services;

    public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder)
    {
        overrides(containerBuilder);
        return containerBuilder.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });
    }
}
