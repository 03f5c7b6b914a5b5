using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PartnerBot.Api.Publishing;

/// <summary>
/// Syncs on a schedule (<c>GitHub:PlatformSyncMinutes</c>): the platform repository when <c>GitHub:PlatformRepository</c>
/// and <c>GitHub:PlatformToken</c> are set, and every partner's chosen repository (so modules whose folder is gone leave
/// the catalog even when the partner does not look). Each sync is one conditional request when nothing changed.
/// The rounds are leased (<see cref="ScheduledSyncRounds"/>): of several instances on one store, one syncs per interval.
/// At start-up each instance still refreshes the platform catalog once, unleased.
/// </summary>
public sealed class ScheduledModuleSync(ModulePublisher publisher, GitHubConnections connections, IOptions<GitHubOptions> options,
    ScheduledSyncRounds rounds, TimeProvider clock, ILogger<ScheduledModuleSync> logger) : BackgroundService
{
    /// <summary>This instance, as the owner of the rounds it claims.</summary>
    public string InstanceName { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMinutes(options.Value.PlatformSyncMinutes);
        // At start-up only the platform catalog needs refreshing; partner repositories were synced when they published.
        var includePartners = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (includePartners) await RunScheduledRoundAsync(stoppingToken);
            else await RunOnceAsync(stoppingToken, includePartners: false);
            includePartners = true;
            try { await Task.Delay(interval, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Runs the round due now when this instance claims it; false when another instance has it.</summary>
    public async Task<bool> RunScheduledRoundAsync(CancellationToken ct)
    {
        try
        {
            if (!await rounds.TryClaimAsync(InstanceName, TimeSpan.FromMinutes(options.Value.PlatformSyncMinutes), ct))
            {
                logger.LogDebug("Scheduled module sync: another instance has this round");
                return false;
            }
        }
        catch (Storage.StorageException e)
        {
            logger.LogWarning(e, "Scheduled module sync skipped: storage did not answer.");
            return false;
        }
        await RunOnceAsync(ct, includePartners: true);
        return true;
    }

    public async Task RunOnceAsync(CancellationToken ct, bool includePartners = true)
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

        if (!includePartners) return;
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
