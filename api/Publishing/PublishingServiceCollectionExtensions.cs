using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Modules.Policy;
using PartnerBot.Api.Protection;

namespace PartnerBot.Api.Publishing;

public static class PublishingServiceCollectionExtensions
{
    /// <summary>
    /// GitHub connections, repository sync and publishing, the scheduled sync, and the Data Protection key ring
    /// (<see cref="KeyRingServiceCollectionExtensions.AddPartnerBotKeyRing"/>) that protects the tokens.
    /// </summary>
    public static IServiceCollection AddPartnerBotPublishing(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<GitHubOptions>()
            .Configure<IConfiguration, IHostEnvironment>((o, c, e) => GitHubOptions.Bind(o, c, e))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<GitHubOptions>, GitHubOptionsValidation>();

        services.AddPartnerBotKeyRing(configuration);

        services.AddHttpClient(GitHubApiClient.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton<GitHubApiClient>();
        services.TryAddSingleton<GitHubConnections>();
        services.AddModulePolicy();
        services.TryAddSingleton<ModulePublisher>();
        services.TryAddSingleton<ScheduledSyncRounds>();
        services.TryAddSingleton<ScheduledModuleSync>();
        services.AddHostedService(sp => sp.GetRequiredService<ScheduledModuleSync>());
        return services;
    }

    /// <summary>Reports the first invalid GitHub setting by key, in one line.</summary>
    private sealed class GitHubOptionsValidation : IValidateOptions<GitHubOptions>
    {
        public ValidateOptionsResult Validate(string? name, GitHubOptions options) =>
            GitHubOptions.Validate(options) is { } failure ? ValidateOptionsResult.Fail(failure) : ValidateOptionsResult.Success;
    }
}
