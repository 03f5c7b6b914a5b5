using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Credits;

public static class CreditServiceCollectionExtensions
{
    /// <summary>The credit ledger (<see cref="ICreditLedger"/>) with <c>Credits:SignupAward</c> validated at start-up.</summary>
    public static IServiceCollection AddPartnerBotCredits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CreditOptions>().Bind(configuration.GetSection(CreditOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICreditLedger, CreditLedger>();
        services.AddStorageContainer(CreditLedger.Container, "/atMs");
        return services;
    }
}
