using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace PartnerBot.Api.Billing;

public static class BillingServiceCollectionExtensions
{
    /// <summary>Billing: Stripe (<c>Stripe:*</c>) and <c>Billing:*</c> options validated at start-up, the services and reports.</summary>
    public static IServiceCollection AddPartnerBotBilling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StripeOptions>().Bind(configuration.GetSection(StripeOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StripeOptions>, StripeOptionsValidator>());
        services.AddOptions<BillingOptions>().Bind(configuration.GetSection(BillingOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BillingOptions>, BillingOptionsValidator>());
        services.AddHttpClient(StripeGateway.HttpClientName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BillingAccounts>();
        services.TryAddSingleton<StripeGateway>();
        services.TryAddSingleton<BillingService>();
        services.TryAddSingleton<PaymentReversals>();
        services.TryAddSingleton<StripeWebhookProcessor>();
        services.TryAddSingleton<SignedLinks>();
        services.TryAddSingleton<BillingReports>();
        return services;
    }
}
