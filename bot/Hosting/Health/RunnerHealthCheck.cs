using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners;

namespace PartnerBot.Bot.Hosting.Health;

/// <summary>
/// The configured runner can start runs: the Local runner finds its CLI (<c>Deployments:Local:Command</c>) on its
/// search path; the GitHubActions runner has its repository, workflow and callback secret.
/// </summary>
public sealed class RunnerHealthCheck(IOptions<DeploymentOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var deployments = options.Value;
        return Task.FromResult(deployments.Runner == RunnerKind.GitHubActions ? GitHubActions(deployments.GitHubActions) : Local(deployments.Local));
    }

    private static HealthCheckResult Local(LocalRunnerOptions local)
    {
        var searchPath = local.SearchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "";
        return ExecutableLocator.Find(local.Command, searchPath) is { } found
            ? HealthCheckResult.Healthy($"Local runner: {Path.GetFileName(found)} found at {found}")
            : HealthCheckResult.Unhealthy("Local runner: " + LocalTerraformRunner.MissingBinaryMessage(local.Command));
    }

    private static HealthCheckResult GitHubActions(GitHubActionsRunnerOptions github)
    {
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(github.Repository)) missing.Add("Deployments:GitHubActions:Repository");
        if (string.IsNullOrWhiteSpace(github.Workflow)) missing.Add("Deployments:GitHubActions:Workflow");
        if (string.IsNullOrWhiteSpace(github.CallbackSecret)) missing.Add("Deployments:GitHubActions:CallbackSecret");
        return missing.Count == 0
            ? HealthCheckResult.Healthy($"GitHubActions runner: workflow {github.Workflow} of {github.Repository}")
            : HealthCheckResult.Unhealthy("GitHubActions runner: not set: " + string.Join(", ", missing));
    }
}
