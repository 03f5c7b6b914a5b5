using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Deployments.State;

/// <summary>
/// Terraform state of each deployment in the document store (container <c>terraformstate</c>, partition = deployment
/// id), encrypted with Data Protection. A write stores the encrypted state as chunk documents first (a state can be far
/// larger than one 2 MB document), then moves the head document to the new version with a replace-if-match; the head
/// keeps the last <see cref="KeptVersions"/> versions and the chunks of older ones are removed afterwards. A write that
/// loses the race or dies half-way leaves only unreferenced chunks, which later writes sweep up.
/// The lock is its own document, taken with a create so that of two lockers exactly one wins.
/// </summary>
public sealed class TerraformStateStore(IDocumentStore store, IDataProtectionProvider protection, TimeProvider clock,
    ILogger<TerraformStateStore> logger)
{
    public const string Container = "terraformstate";
    public const int KeptVersions = 10;
    /// <summary>Encrypted bytes per chunk document: base64 makes 1 MB about 1.4 MB, under the 2 MB document limit.</summary>
    public const int ChunkBytes = 1024 * 1024;
    private const string HeadId = "head";
    private const string LockId = "lock";
    private const int MaxAttempts = 50;
    /// <summary>Unreferenced writes younger than this may still be in flight and are left alone.</summary>
    private static readonly TimeSpan OrphanAge = TimeSpan.FromHours(1);

    private readonly IDataProtector _protector = protection.CreateProtector("PartnerBot.Deployments.TerraformState.v1");

    /// <summary>The head: current version, its serial and lineage, and the kept versions.</summary>
    public async Task<TerraformStateHead> GetHeadAsync(string deploymentId, CancellationToken ct = default)
    {
        var document = await store.ReadAsync(Container, deploymentId, HeadId, ct);
        return document is null ? TerraformStateHead.Empty : ToHead(StoreJson.FromBody<HeadDocument>(document.Body));
    }

    /// <summary>The current state, decrypted; null when there is none.</summary>
    public async Task<TerraformStateSnapshot?> ReadAsync(string deploymentId, CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var head = await GetHeadAsync(deploymentId, ct);
            if (head.Current is null) return null;
            // A chunk can vanish only when ten newer writes pruned it meanwhile: read the new head then.
            if (await ReadChunksAsync(deploymentId, head.Current, ct) is { } json) return new TerraformStateSnapshot(head.Current, json);
        }
        throw new StorageException(StorageErrorKind.Unavailable, $"The state of {deploymentId} kept changing while it was read.");
    }

    /// <summary>One kept version, decrypted; null when it is not (or no longer) kept.</summary>
    public async Task<TerraformStateSnapshot?> ReadVersionAsync(string deploymentId, int version, CancellationToken ct = default)
    {
        var head = await GetHeadAsync(deploymentId, ct);
        var kept = head.Versions.FirstOrDefault(v => v.Version == version);
        if (kept is null) return null;
        return await ReadChunksAsync(deploymentId, kept, ct) is { } json ? new TerraformStateSnapshot(kept, json) : null;
    }

    /// <summary>
    /// Stores <paramref name="json"/> (already checked with <see cref="TerraformStateSummary.Read"/>) as the new current
    /// version. When the state is locked, <paramref name="lockId"/> must name that lock; otherwise it must be null.
    /// </summary>
    public async Task<StateChangeResult> WriteAsync(string deploymentId, ReadOnlyMemory<byte> json, TerraformStateSummary summary,
        string? lockId, CancellationToken ct = default)
    {
        if (await CheckLockAsync(deploymentId, lockId, ct) is { } refused) return refused;

        var writeId = Guid.NewGuid().ToString("N");
        var cipher = _protector.CreateProtector(deploymentId).Protect(json.ToArray());
        var chunks = (cipher.Length + ChunkBytes - 1) / ChunkBytes;
        await store.CreateAsync(Container, deploymentId, WriteDocumentId(writeId), StoreJson.ToBody(new WriteDocument
        {
            DeploymentId = deploymentId, WriteId = writeId, Chunks = chunks, CreatedAtMs = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        }), ct: ct);
        for (var index = 0; index < chunks; index++)
        {
            var part = cipher.AsSpan(index * ChunkBytes, Math.Min(ChunkBytes, cipher.Length - index * ChunkBytes));
            await store.CreateAsync(Container, deploymentId, ChunkDocumentId(writeId, index), StoreJson.ToBody(new ChunkDocument
            {
                DeploymentId = deploymentId, WriteId = writeId, Index = index, Data = Convert.ToBase64String(part),
            }), ct: ct);
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(json.Span));
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            // Checked again right before the head moves: the lock may have changed while the chunks were written.
            if (attempt > 0 && await CheckLockAsync(deploymentId, lockId, ct) is { } late)
            {
                await RemoveWriteAsync(deploymentId, writeId, chunks, ct);
                return late;
            }
            var (current, etag) = await ReadHeadDocumentAsync(deploymentId, ct);
            var version = new TerraformStateVersion(current.Version + 1, writeId, summary.Serial, summary.Lineage, json.Length,
                summary.Resources, summary.Instances, chunks, sha256, clock.GetUtcNow());
            var next = current with
            {
                Version = version.Version,
                CurrentWriteId = writeId,
                Versions = [version, .. current.Versions.Take(KeptVersions - 1)],
            };
            if (!await TryWriteHeadAsync(deploymentId, next, etag, ct))
            {
                await Backoff(attempt, ct);
                continue;
            }
            await PruneAsync(deploymentId, current.Versions.Skip(KeptVersions - 1), next, ct);
            logger.LogInformation("Terraform state of {DeploymentId} is now version {Version} (serial {Serial}, {Bytes} bytes).",
                deploymentId, version.Version, version.Serial, version.Bytes);
            return new StateChangeResult(StateChangeStatus.Done, version);
        }
        throw new StorageException(StorageErrorKind.Unavailable, $"The state of {deploymentId} kept changing; the write was not applied.");
    }

    /// <summary>
    /// Deletes the current state (Terraform's DELETE): there is no current state afterwards, but the kept versions stay
    /// for recovery. Refused like <see cref="WriteAsync"/> when locked by another.
    /// </summary>
    public async Task<StateChangeResult> DeleteAsync(string deploymentId, string? lockId, CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (await CheckLockAsync(deploymentId, lockId, ct) is { } refused) return refused;
            var (current, etag) = await ReadHeadDocumentAsync(deploymentId, ct);
            if (etag is null || current.CurrentWriteId is null) return new StateChangeResult(StateChangeStatus.Done);
            var next = current with { Version = current.Version + 1, CurrentWriteId = null };
            if (await TryWriteHeadAsync(deploymentId, next, etag, ct))
            {
                logger.LogInformation("Terraform state of {DeploymentId} was deleted; {Kept} versions are kept.", deploymentId,
                    next.Versions.Count);
                return new StateChangeResult(StateChangeStatus.Done);
            }
            await Backoff(attempt, ct);
        }
        throw new StorageException(StorageErrorKind.Unavailable, $"The state of {deploymentId} kept changing; it was not deleted.");
    }

    public async Task<TerraformStateLock?> GetLockAsync(string deploymentId, CancellationToken ct = default)
    {
        var document = await store.ReadAsync(Container, deploymentId, LockId, ct);
        return document is null ? null : ToLock(document);
    }

    /// <summary>Takes the lock; a repeat of the holder's own LOCK (same ID) counts as acquired.</summary>
    public async Task<LockResult> LockAsync(string deploymentId, TerraformLockInfo info, TerraformLockHolder? holder,
        CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                var created = await store.CreateAsync(Container, deploymentId, LockId, StoreJson.ToBody(new LockDocument
                {
                    DeploymentId = deploymentId, Info = info.ToJson(), Holder = holder, LockedAt = clock.GetUtcNow(),
                }), ct: ct);
                logger.LogInformation("Terraform state of {DeploymentId} locked: {LockId} ({Operation}).", deploymentId, info.Id,
                    info.Operation);
                return new LockResult(LockStatus.Acquired, ToLock(created));
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
            {
                var existing = await GetLockAsync(deploymentId, ct);
                if (existing is null) continue; // released in between: try again
                return new LockResult(existing.Info.Id == info.Id ? LockStatus.Acquired : LockStatus.HeldByOther, existing);
            }
        }
        throw new StorageException(StorageErrorKind.Unavailable, $"The lock of {deploymentId} kept changing.");
    }

    /// <summary>Releases the lock named <paramref name="lockId"/>.</summary>
    public async Task<UnlockResult> UnlockAsync(string deploymentId, string lockId, CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await GetLockAsync(deploymentId, ct);
            if (existing is null) return new UnlockResult(UnlockStatus.NotLocked);
            if (existing.Info.Id != lockId) return new UnlockResult(UnlockStatus.HeldByOther, existing);
            if (await TryReleaseAsync(deploymentId, existing, ct)) return new UnlockResult(UnlockStatus.Released, existing);
        }
        throw new StorageException(StorageErrorKind.Unavailable, $"The lock of {deploymentId} kept changing.");
    }

    /// <summary>Releases exactly the lock <paramref name="held"/> (same ETag); false when it changed or is gone.</summary>
    public async Task<bool> TryReleaseAsync(string deploymentId, TerraformStateLock held, CancellationToken ct = default)
    {
        try
        {
            await store.DeleteAsync(Container, deploymentId, LockId, held.ETag, ct);
            logger.LogInformation("Terraform state lock {LockId} of {DeploymentId} released.", held.Info.Id, deploymentId);
            return true;
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.NotFound or StorageErrorKind.PreconditionFailed)
        {
            return false;
        }
    }

    private async Task<StateChangeResult?> CheckLockAsync(string deploymentId, string? lockId, CancellationToken ct)
    {
        var held = await GetLockAsync(deploymentId, ct);
        if (held is null) return lockId is null ? null : new StateChangeResult(StateChangeStatus.LockNotHeld);
        if (lockId is null) return new StateChangeResult(StateChangeStatus.Locked, Holder: held);
        return held.Info.Id == lockId ? null : new StateChangeResult(StateChangeStatus.LockMismatch, Holder: held);
    }

    private async Task<byte[]?> ReadChunksAsync(string deploymentId, TerraformStateVersion version, CancellationToken ct)
    {
        using var cipher = new MemoryStream();
        for (var index = 0; index < version.Chunks; index++)
        {
            var document = await store.ReadAsync(Container, deploymentId, ChunkDocumentId(version.WriteId, index), ct);
            if (document is null) return null;
            cipher.Write(Convert.FromBase64String(StoreJson.FromBody<ChunkDocument>(document.Body).Data));
        }
        var json = _protector.CreateProtector(deploymentId).Unprotect(cipher.ToArray());
        if (!Convert.ToHexStringLower(SHA256.HashData(json)).Equals(version.Sha256, StringComparison.Ordinal))
            throw new StorageException(StorageErrorKind.Unavailable, $"Version {version.Version} of the state of {deploymentId} is damaged.");
        return json;
    }

    private async Task<(HeadDocument Head, string? ETag)> ReadHeadDocumentAsync(string deploymentId, CancellationToken ct)
    {
        var document = await store.ReadAsync(Container, deploymentId, HeadId, ct);
        return document is null
            ? (new HeadDocument { DeploymentId = deploymentId }, null)
            : (StoreJson.FromBody<HeadDocument>(document.Body), document.ETag);
    }

    private async Task<bool> TryWriteHeadAsync(string deploymentId, HeadDocument next, string? etag, CancellationToken ct)
    {
        try
        {
            if (etag is null) await store.CreateAsync(Container, deploymentId, HeadId, StoreJson.ToBody(next), ct: ct);
            else await store.ReplaceAsync(Container, deploymentId, HeadId, StoreJson.ToBody(next), etag, ct: ct);
            return true;
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.Conflict or StorageErrorKind.NotFound)
        {
            return false;
        }
    }

    /// <summary>Removes the versions that fell out of the head, then writes left unreferenced by failed or lost writes.</summary>
    private async Task PruneAsync(string deploymentId, IEnumerable<TerraformStateVersion> dropped, HeadDocument head, CancellationToken ct)
    {
        try
        {
            foreach (var version in dropped) await RemoveWriteAsync(deploymentId, version.WriteId, version.Chunks, ct);
            var kept = head.Versions.Select(v => v.WriteId).ToHashSet(StringComparer.Ordinal);
            var before = clock.GetUtcNow().Subtract(OrphanAge).ToUnixTimeMilliseconds();
            var page = await store.QueryAsync(Container, deploymentId, new DocumentQuery
            {
                Filters = [FieldFilter.Eq("/type", WriteDocument.TypeName), FieldFilter.Lt("/createdAtMs", before)],
                PageSize = 50,
            }, ct);
            foreach (var item in page.Items)
            {
                var write = StoreJson.FromBody<WriteDocument>(item.Body);
                if (!kept.Contains(write.WriteId)) await RemoveWriteAsync(deploymentId, write.WriteId, write.Chunks, ct);
            }
        }
        catch (Exception e) when (e is StorageException && !ct.IsCancellationRequested)
        {
            // The new version is in place; what is left over is swept by a later write.
            logger.LogWarning(e, "Old Terraform state versions of {DeploymentId} could not all be removed yet.", deploymentId);
        }
    }

    private async Task RemoveWriteAsync(string deploymentId, string writeId, int chunks, CancellationToken ct)
    {
        for (var index = 0; index < chunks; index++) await DeleteIfPresentAsync(deploymentId, ChunkDocumentId(writeId, index), ct);
        await DeleteIfPresentAsync(deploymentId, WriteDocumentId(writeId), ct);
    }

    private async Task DeleteIfPresentAsync(string deploymentId, string id, CancellationToken ct)
    {
        try { await store.DeleteAsync(Container, deploymentId, id, ct: ct); }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound) { }
    }

    private static async Task Backoff(int attempt, CancellationToken ct)
    {
        if (attempt > 2) await Task.Delay(Random.Shared.Next(5, 50), ct);
    }

    private static string WriteDocumentId(string writeId) => "write-" + writeId;

    private static string ChunkDocumentId(string writeId, int index) => $"chunk-{writeId}-{index}";

    private static TerraformStateHead ToHead(HeadDocument head) =>
        new(head.Version, head.CurrentWriteId is null ? null : head.Versions.FirstOrDefault(v => v.WriteId == head.CurrentWriteId),
            head.Versions);

    private static TerraformStateLock ToLock(StoredDocument document)
    {
        var body = StoreJson.FromBody<LockDocument>(document.Body);
        var (info, _) = TerraformLockInfo.Parse(System.Text.Encoding.UTF8.GetBytes(body.Info.ToJsonString()));
        return new TerraformStateLock(info ?? new TerraformLockInfo("unknown", null, null, null, null, null, null), body.Holder,
            body.LockedAt, document.ETag);
    }

    private sealed record HeadDocument
    {
        public string Type { get; init; } = "stateHead";
        public required string DeploymentId { get; init; }
        public int Version { get; init; }
        public string? CurrentWriteId { get; init; }
        public List<TerraformStateVersion> Versions { get; init; } = [];
    }

    private sealed record WriteDocument
    {
        public const string TypeName = "stateWrite";
        public string Type { get; init; } = TypeName;
        public required string DeploymentId { get; init; }
        public required string WriteId { get; init; }
        public int Chunks { get; init; }
        public long CreatedAtMs { get; init; }
    }

    private sealed record ChunkDocument
    {
        public string Type { get; init; } = "stateChunk";
        public required string DeploymentId { get; init; }
        public required string WriteId { get; init; }
        public int Index { get; init; }
        public required string Data { get; init; }
    }

    private sealed record LockDocument
    {
        public string Type { get; init; } = "stateLock";
        public required string DeploymentId { get; init; }
        public required JsonObject Info { get; init; }
        public TerraformLockHolder? Holder { get; init; }
        public DateTimeOffset LockedAt { get; init; }
    }
}
