using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>Registration of the Slack channel: <c>AddSlackChannel</c> on services, <c>MapSlackChannel</c> on endpoints.</summary>
public static class SlackChannelExtensions
{
    /// <summary>
    /// Adds the Slack channel. Needs an <see cref="PartnerBot.Api.Storage.IDocumentStore"/> (the durable inbox) and an
    /// <see cref="IChatBot"/> registered elsewhere.
    /// </summary>
    public static IServiceCollection AddSlackChannel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SlackOptions>().Bind(configuration.GetSection(SlackOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SlackOptions>, SlackOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddHttpClient(SlackWebApiClient.HttpClientName, (sp, client) =>
        {
            var baseUrl = sp.GetRequiredService<IOptionsMonitor<SlackOptions>>().CurrentValue.ApiBaseUrl;
            client.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
            client.Timeout = TimeSpan.FromSeconds(15);
        }).RemoveAllLoggers(); // every turn calls it; SlackWebApiClient logs what goes wrong itself
        services.TryAddSingleton<SlackWebApiClient>();
        services.TryAddSingleton<SlackSignatureVerifier>();
        services.AddStorageContainer(SlackInbox.Container, "/enqueuedAt");
        services.TryAddSingleton<SlackInbox>();
        services.TryAddSingleton<SlackInboxSanitizer>();
        services.AddStorageContainer(SlackInbox.Container, "/enqueuedAt");
        services.TryAddSingleton<SlackInstalledWorkspace>();
        services.TryAddSingleton<SlackUserDirectory>();
        services.TryAddSingleton<SlackTurnProcessor>();
        services.TryAddSingleton<SlackRequestHandler>();
        services.AddHostedService<SlackInboxWorker>();
        services.AddSingleton<IProactiveChannel, SlackProactiveChannel>();
        return services;
    }

    /// <summary>Maps <c>POST /api/slack/events</c>.</summary>
    public static IEndpointRouteBuilder MapSlackChannel(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(SlackRoutes.Events, (HttpContext http, SlackRequestHandler handler) => handler.HandleAsync(http))
            .WithName("SlackEvents")
            .WithRequestBodyLimit(RequestBodyGroup.Chat)
            .ExcludeFromDescription();
        return endpoints;
    }
}
