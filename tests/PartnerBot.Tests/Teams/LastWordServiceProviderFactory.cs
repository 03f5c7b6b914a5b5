using Microsoft.Extensions.DependencyInjection;

namespace PartnerBot.Tests.Teams;

/// <summary>
/// Applies a test's registrations after the host's own, so the test double (e.g. the recording IChatBot) is the one
/// the host resolves even though the host registers its real implementation later than the test's configure hook.
/// </summary>
internal sealed class LastWordServiceProviderFactory(Action<IServiceCollection> overrides) : IServiceProviderFactory<IServiceCollection>
{
    public IServiceCollection CreateBuilder(IServiceCollection services) => services;

    public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder)
    {
        overrides(containerBuilder);
        return containerBuilder.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }
}
