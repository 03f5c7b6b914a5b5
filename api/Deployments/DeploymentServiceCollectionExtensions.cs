using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments.Runners;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Api.Deployments.Versions;
using PartnerBot.Api.Deployments.Runners.Isolation;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Deployments;

public static class DeploymentServiceCollectionExtensions
{
    /// <summary>
    /// Deployments: <see cref="IDeploymentService"/>, the runner chosen by <c>Deployments:Runner</c>, the worker that runs
    /// queued deployments and the outbox dispatcher that delivers state changes to <see cref="IDeploymentStatusNotifier"/>
    /// (a logging notifier unless a channel registers its own).
    /// </summary>
    public static IServiceCollection AddPartnerBotDeployments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DeploymentOptions>().Bind(configuration.GetSection(DeploymentOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeploymentOptions>, DeploymentOptionsValidator>());
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(DeploymentOptions.Section + ":Outbox"))
            .Validate(o => o.Problem() is null, "Deployments:Outbox:DeadRetention must be between 00:00:01 and 3650 days, and MaxAttempts at least 1.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddDataProtection();
        services.AddHttpClient(GitHubActionsRunner.HttpClientName);

        // The ORDER BY paths of the repository, worker, log reader and outbox dispatcher (Cosmos DB composite indexes).
        services.AddStorageContainer(DeploymentRepository.Container, "/createdAtMs", "/runnableSinceMs");
        services.AddStorageContainer(DeploymentLogs.Container, "/index");
        services.AddStorageContainer(DeploymentOutbox.Container, "/dueAtMs");
        services.AddStorageContainer(ModuleVersions.Container);
        services.AddStorageContainer(DeploymentPlans.Container);
        services.TryAddSingleton<ModuleVersions>();
        services.TryAddSingleton<DeploymentPlans>();
        services.TryAddSingleton<DeploymentOutbox>();
        services.TryAddSingleton<DeploymentRepository>();
        services.TryAddSingleton<DeploymentLogs>();
        services.TryAddSingleton<DeploymentSecrets>();
        services.AddTerraformState();
        services.TryAddSingleton<DeploymentSignal>();
        services.TryAddSingleton<RunningDeployments>();
        services.TryAddSingleton<DeploymentWorkFolders>();
        services.TryAddSingleton<DeploymentService>();
        services.TryAddSingleton<IDeploymentService>(sp => sp.GetRequiredService<DeploymentService>());
        services.AddTerraformIsolation();
        services.TryAddSingleton<LocalTerraformRunner>();
        services.AddStorageContainer(Runners.GitHubActions.RunnerRuns.Container);
        services.TryAddSingleton<Runners.GitHubActions.RunnerRuns>();
        services.TryAddSingleton<Runners.GitHubActions.RunnerRunTokens>();
        services.TryAddSingleton<GitHubActionsRunner>();
        services.TryAddSingleton<IDeploymentRunner>(sp =>
            sp.GetRequiredService<IOptions<DeploymentOptions>>().Value.Runner == RunnerKind.GitHubActions
                ? sp.GetRequiredService<GitHubActionsRunner>()
                : sp.GetRequiredService<LocalTerraformRunner>());
        services.TryAddSingleton<IDeploymentStatusNotifier, LoggingDeploymentStatusNotifier>();

        services.TryAddSingleton<DeploymentWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<DeploymentWorker>());
        services.TryAddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
    }
}

/// <summary>Start-up checks that need more than one key: the GitHub Actions runner's settings.</summary>
internal sealed class DeploymentOptionsValidator(IConfiguration configuration) : IValidateOptions<DeploymentOptions>
{
    public ValidateOptionsResult Validate(string? name, DeploymentOptions options)
    {
        var failures = new List<string>();
        if (options.Runner == RunnerKind.Local && string.IsNullOrWhiteSpace(options.Local.Command))
            failures.Add("Deployments:Local:Command must name the Terraform CLI (terraform or tofu).");
        if (options.Runner == RunnerKind.GitHubActions)
        {
            var repository = options.GitHubActions.Repository;
            if (repository.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
                failures.Add("Deployments:GitHubActions:Repository must be owner/name when Deployments:Runner is GitHubActions.");
            if (string.IsNullOrWhiteSpace(options.GitHubActions.Workflow))
                failures.Add("Deployments:GitHubActions:Workflow must name the workflow file (e.g. deploy.yml).");
            if (string.IsNullOrWhiteSpace(configuration["GitHub:PlatformToken"]))
                failures.Add("GitHub:PlatformToken is required when Deployments:Runner is GitHubActions.");
            if (options.GitHubActions.CallbackSecret.Length < 16)
                failures.Add("Deployments:GitHubActions:CallbackSecret must be at least 16 characters when Deployments:Runner is GitHubActions.");
            if (options.GitHubActions.PollInterval <= TimeSpan.Zero)
                failures.Add("Deployments:GitHubActions:PollInterval must be positive.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
