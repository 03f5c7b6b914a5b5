using Microsoft.Extensions.Diagnostics.HealthChecks;
using PartnerBot.Api.Storage;

namespace PartnerBot.Bot.Hosting.Health;

/// <summary>Ready only while the document store answers within 5 seconds.</summary>
public sealed class StorageHealthCheck(IDocumentStore store, ILogger<StorageHealthCheck> logger) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            if (await store.PingAsync(timeout.Token)) return HealthCheckResult.Healthy("the store answers");
        }
        catch (Exception e) when (e is StorageException or OperationCanceledException or HttpRequestException or TimeoutException)
        {
            logger.LogWarning(e, "Storage readiness check failed");
            return HealthCheckResult.Unhealthy(e is OperationCanceledException or TimeoutException
                ? $"the store did not answer within {Timeout.TotalSeconds:0} seconds"
                : "the store is unavailable");
        }
        return HealthCheckResult.Unhealthy("the store did not answer");
    }
}
