using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>Registration of the Teams (Bot Framework) channel.</summary>
public static class TeamsChannelExtensions
{
    /// <summary>
    /// Registers options (validated at start-up), inbound token validation, the Connector client, the turn processor
    /// and the <c>msteams</c> <see cref="IProactiveChannel"/>. The host must register an <see cref="IChatBot"/>.
    /// </summary>
    public static IServiceCollection AddTeamsChannel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BotFrameworkOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new BotUrlPolicy(sp.GetRequiredService<IHostEnvironment>().IsDevelopment()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BotFrameworkOptions>, BotFrameworkOptionsValidator>());

        // Named clients, created per call by singletons so handler rotation still applies.
        services.AddHttpClient(ChannelSigningKeys.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddHttpClient(BotTokenProvider.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddHttpClient(ConnectorClient.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30))
            .RemoveAllLoggers(); // every turn calls it; ConnectorClient logs what goes wrong itself

        services.TryAddSingleton<ChannelSigningKeys>();
        services.TryAddSingleton<BotTokenProvider>();
        services.TryAddSingleton<ConnectorClient>();
        services.TryAddSingleton<ChannelTokenValidator>();
        services.TryAddSingleton<ConnectorRetryPolicy>();
        services.TryAddSingleton(sp =>
        {
            var trusted = ActivatorUtilities.CreateInstance<TrustedServiceUrls>(sp);
            if (configuration["Support:Teams:ServiceUrl"] is { Length: > 0 } support) trusted.TrustConfigured(support);
            return trusted;
        });
        services.AddStorageContainer(TrustedServiceUrls.Container);
        services.TryAddSingleton<ITeamsCardRenderer, AdaptiveCardsTeamsRenderer>();
        services.TryAddSingleton(new InvokeBudget(TeamsRoutes.InvokeResponseBudget));
        services.TryAddSingleton<TeamsMessageFactory>();
        services.TryAddSingleton<TeamsActivityProcessor>();
        services.TryAddSingleton<TeamsEndpoint>();
        services.TryAddSingleton<TeamsProactiveChannel>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProactiveChannel, TeamsProactiveChannel>(sp => sp.GetRequiredService<TeamsProactiveChannel>()));
        return services;
    }

    /// <summary>Maps <c>POST /api/messages</c>.</summary>
    /// <remarks>
    /// Outside Development a host without <c>MicrosoftAppId</c> does not serve the endpoint at all: nothing on the
    /// network (a reverse proxy on the same host included) can reach the Emulator-style anonymous mode.
    /// </remarks>
    public static IEndpointRouteBuilder MapTeamsChannel(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        var options = services.GetRequiredService<IOptions<BotFrameworkOptions>>().Value;
        if (options.IsAnonymous && !services.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TeamsChannelExtensions).FullName!)
                .LogInformation("Teams is off: no MicrosoftAppId is configured, so {Route} is not served", TeamsRoutes.Messages);
            return endpoints;
        }
        endpoints.MapPost(TeamsRoutes.Messages, (HttpContext http, TeamsEndpoint endpoint) => endpoint.HandleAsync(http))
            .DisableAntiforgery()
            .WithName("BotFrameworkMessages")
            .WithRequestBodyLimit(RequestBodyGroup.Chat);
        return endpoints;
    }
}
