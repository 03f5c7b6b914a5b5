using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners.Isolation;

namespace PartnerBot.Bot.Hosting.Health;

/// <summary>
/// How Terraform runs are isolated here (see <see cref="RunSandbox"/>): healthy in a working bubblewrap sandbox,
/// degraded (still ready) when runs are unsandboxed or partner modules are refused, unhealthy when no run may start.
/// </summary>
public sealed class SandboxHealthCheck(RunSandbox sandbox, IOptions<DeploymentOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (options.Value.Runner != RunnerKind.Local)
            return HealthCheckResult.Healthy($"runs happen on the {options.Value.Runner} runner, not on this host");
        var status = await sandbox.GetStatusAsync(cancellationToken);
        if (status.Refusal is not null) return HealthCheckResult.Unhealthy(status.Summary);
        if (status.PartnerRefusal is not null || !status.Sandboxed) return HealthCheckResult.Degraded(status.Summary);
        return HealthCheckResult.Healthy(status.Summary);
    }
}
