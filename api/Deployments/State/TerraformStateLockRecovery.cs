using Microsoft.Extensions.Logging;

namespace PartnerBot.Api.Deployments.State;

public enum StaleLockStatus
{
    /// <summary>The state is not locked: the run may start.</summary>
    NotLocked,
    /// <summary>A lock left by a run whose lease is gone was released: the run may start.</summary>
    Released,
    /// <summary>A live run (or someone outside PartnerBot) holds the lock: the run must not start.</summary>
    Held,
}

/// <summary>The answer to "may a run of this deployment start?", with a sentence for the deployment's log.</summary>
public sealed record StaleLockCheck(StaleLockStatus Status, TerraformStateLock? Lock, string Message)
{
    public bool MayRun => Status != StaleLockStatus.Held;
}

/// <summary>
/// Before a run: releases a state lock whose holder's lease is gone (its host was killed mid-run), and never one held
/// by a live run. A lock taken outside a PartnerBot run (no holder) is never released here.
/// </summary>
public sealed class TerraformStateLockRecovery(TerraformStateStore states, DeploymentRepository deployments, TimeProvider clock,
    ILogger<TerraformStateLockRecovery> logger)
{
    /// <summary>
    /// Judges the holder by the deployment's record: it is alive while the deployment's lease is still the one it
    /// locked under (same owner and build) and has not lapsed. Call it after the new run has claimed its lease.
    /// </summary>
    public Task<StaleLockCheck> ReleaseIfStaleAsync(string deploymentId, CancellationToken ct = default) =>
        ReleaseIfStaleAsync(deploymentId, async (holder, token) =>
        {
            var stored = await deployments.FindAsync(deploymentId, token);
            var lease = stored?.Deployment.Lease;
            return lease is not null && lease.Owner == holder.LeaseOwner
                && lease.UntilMs >= clock.GetUtcNow().ToUnixTimeMilliseconds()
                && (holder.Build is null || stored!.Deployment.Builds.LastOrDefault()?.Number == holder.Build);
        }, ct);

    /// <summary>Releases the lock when <paramref name="isLeaseAlive"/> says its holder's lease is gone.</summary>
    public async Task<StaleLockCheck> ReleaseIfStaleAsync(string deploymentId,
        Func<TerraformLockHolder, CancellationToken, Task<bool>> isLeaseAlive, CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var held = await states.GetLockAsync(deploymentId, ct);
            if (held is null) return new StaleLockCheck(StaleLockStatus.NotLocked, null, "The Terraform state is not locked.");
            if (held.Holder is null)
                return new StaleLockCheck(StaleLockStatus.Held, held,
                    $"The Terraform state is locked ({held.Describe()}); a lock taken outside PartnerBot is not released automatically, so this run did not start.");
            if (await isLeaseAlive(held.Holder, ct))
                return new StaleLockCheck(StaleLockStatus.Held, held,
                    $"Another run of this deployment is still working ({held.Describe()}); this run did not start.");
            if (await states.TryReleaseAsync(deploymentId, held, ct))
            {
                logger.LogWarning("Released the Terraform state lock {LockId} of {DeploymentId}: its run {LeaseOwner} is gone.",
                    held.Info.Id, deploymentId, held.Holder.LeaseOwner);
                return new StaleLockCheck(StaleLockStatus.Released, held,
                    $"Released the state lock left by an interrupted run ({held.Describe()}).");
            }
            // The lock changed while it was judged: judge the new one.
        }
        throw new Storage.StorageException(Storage.StorageErrorKind.Unavailable, $"The state lock of {deploymentId} kept changing.");
    }
}
