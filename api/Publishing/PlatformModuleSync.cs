using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PartnerBot.Api.Publishing;

/// <summary>
/// Syncs on a schedule (<c>GitHub:PlatformSyncMinutes</c>): the platform repository when <c>GitHub:PlatformRepository</c>
/// and <c>GitHub:PlatformToken</c> are set, and every partner's chosen repository (so modules whose folder is gone leave
/// the catalog even when the partner does not look). Each sync is one conditional request when nothing changed.
/// </summary>
public sealed class ScheduledModuleSync(ModulePublisher publisher, GitHubConnections connections, IOptions<GitHubOptions> options,
    TimeProvider clock, ILogger<ScheduledModuleSync> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMinutes(options.Value.PlatformSyncMinutes);
        while (!stoppingToken.IsCancellationRequested)
        {
            await RunOnceAsync(stoppingToken);
            try { await Task.Delay(interval, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    public async Task RunOnceAsync(CancellationToken ct)
    {
        try
        {
            if (options.Value.PlatformSyncConfigured) await publisher.SyncPlatformAsync(ct);
        }
        catch (GitHubFailure e)
        {
            logger.LogWarning("Platform module sync failed; the catalog is unchanged: {Problem}", e.Message);
        }
        catch (Exception e) when (e is Storage.StorageException or HttpRequestException)
        {
            logger.LogWarning(e, "Platform module sync failed; the catalog is unchanged.");
        }

        try
        {
            await foreach (var connection in connections.ListConnectedAsync(ct))
            {
                try
                {
                    await publisher.SyncPartnerAsync(connection.UserId, needSnapshot: false, ct);
                }
                catch (GitHubFailure e)
                {
                    logger.LogInformation("Sync of {Owner}'s repository failed; their modules are unchanged: {Problem}", connection.UserId, e.Message);
                }
                catch (NotConnectedException)
                {
                }
            }
        }
        catch (Storage.StorageException e)
        {
            logger.LogWarning(e, "Partner repository sync skipped: storage did not answer.");
        }
    }
}
