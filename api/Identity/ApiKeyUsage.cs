using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Identity;

/// <summary>
/// Keeps "last used" of API keys current without a store write per request: each process writes a key's time at most
/// once per <see cref="WriteInterval"/>, so the shown value is accurate to about a minute.
/// </summary>
public sealed class ApiKeyUsage(IDocumentStore store, TimeProvider clock, ILogger<ApiKeyUsage> logger)
{
    public static readonly TimeSpan WriteInterval = TimeSpan.FromMinutes(1);

    // Key hash → UTC ticks of this process's last write of its time.
    private readonly ConcurrentDictionary<string, long> _lastWritten = new(StringComparer.Ordinal);

    /// <summary>Notes that the key with <paramref name="hash"/> authenticated a request now.</summary>
    public async Task RecordUseAsync(string hash, ApiKeyRecord record, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        if (!ClaimWrite(hash, now.UtcTicks)) return;
        try
        {
            try
            {
                await store.PatchAsync(ApiKeyStore.OwnerContainer, record.UserId, record.KeyId,
                    [PatchOperation.Set("/lastUsedAt", JsonValue.Create(now))], ct: ct);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
            {
                await ListKeyMadeBeforeListsAsync(hash, record, now, ct);
            }
        }
        catch (Exception e) when (e is StorageException or OperationCanceledException)
        {
            // Usage is informational: the request goes on, and the next one after the interval tries again.
            logger.LogWarning(e, "Could not record the use of API key {KeyId} of {UserId}", record.KeyId, record.UserId);
        }
    }

    /// <summary>True for the one caller that should write now; false while the last write is recent.</summary>
    private bool ClaimWrite(string hash, long nowTicks)
    {
        while (true)
        {
            if (!_lastWritten.TryGetValue(hash, out var last)) return _lastWritten.TryAdd(hash, nowTicks) || ClaimWrite(hash, nowTicks);
            if (nowTicks - last < WriteInterval.Ticks) return false;
            if (_lastWritten.TryUpdate(hash, nowTicks, last)) return true;
        }
    }

    /// <summary>A key created before owners' lists existed gets its list entry on first use, so its owner can revoke it.</summary>
    private async Task ListKeyMadeBeforeListsAsync(string hash, ApiKeyRecord record, DateTimeOffset now, CancellationToken ct)
    {
        // A key revoked while this request was in flight has no record any more and must not come back into the list.
        if (await store.ReadAsync(ApiKeyStore.Container, hash, hash, ct) is null) return;
        var listing = new ApiKeyListing(record.KeyId, hash, record.Name, null, record.Roles, record.CreatedAt, now);
        try
        {
            await store.CreateAsync(ApiKeyStore.OwnerContainer, record.UserId, record.KeyId, StoreJson.ToBody(listing), ct: ct);
            logger.LogInformation("Listed API key {KeyId} for its owner {UserId}", record.KeyId, record.UserId);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
        }
    }
}
