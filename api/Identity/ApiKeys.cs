using System.Security.Cryptography;
using System.Text;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Identity;

/// <summary>A REST API key as stored: only the SHA-256 of the key, never the key itself.</summary>
public sealed record ApiKeyRecord(
    string Type,
    string KeyId,
    string UserId,
    IReadOnlyList<string> Roles,
    string? Name,
    string? Email,
    DateTimeOffset CreatedAt)
{
    public bool IsAdmin => Roles.Contains(ApiRoles.Admin, StringComparer.OrdinalIgnoreCase);
}

public static class ApiRoles
{
    public const string Admin = "admin";
    public const string Partner = "partner";
}

/// <summary>A freshly created key: <paramref name="Key"/> is shown once and cannot be recovered.</summary>
public sealed record CreatedApiKey(string Key, ApiKeyRecord Record)
{
    /// <summary>How the key is named in lists: its prefix and last four characters.</summary>
    public string Hint => ApiKeyStore.HintOf(Key);
}

/// <summary>What the owner sees of one of their keys: never the key, nor its hash.</summary>
/// <param name="Hint">The key's prefix and last four characters (<c>pbk_…x7Qa</c>), or null for keys made before hints.</param>
public sealed record ApiKeySummary(
    string KeyId,
    string? Name,
    string? Hint,
    IReadOnlyList<string> Roles,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt);

/// <summary>The owner already holds <see cref="ApiKeyStore.MaxKeysPerUser"/> keys.</summary>
public sealed class ApiKeyLimitException(int limit)
    : InvalidOperationException($"A user can hold at most {limit} API keys; revoke one first.")
{
    public int Limit { get; } = limit;
}

/// <summary>
/// Per-user REST API keys. Two documents per key, each written on its own (no multi-document transactions):
/// <list type="bullet">
/// <item><c>apikeys/{sha256}/{sha256}</c> — the record a request's key is checked against with one point read;</item>
/// <item><c>userApiKeys/{userId}/{keyId}</c> — the owner's list entry (name, created, last used), one partition per user.</item>
/// </list>
/// Creation writes the list entry first, so a key that works can always be listed and revoked; revocation deletes
/// the record first, so the key stops working before it leaves the list.
/// </summary>
public sealed partial class ApiKeyStore(IDocumentStore store, TimeProvider clock)
{
    public const string Container = "apikeys";
    public const string OwnerContainer = "userApiKeys";
    public const string Prefix = "pbk_";
    public const int MaxKeysPerUser = 20;
    public const int MaxNameLength = 60;

    /// <summary>Length of a key: the prefix and 32 random bytes in unpadded base64url.</summary>
    public const int KeyLength = 47;

    public async Task<CreatedApiKey> CreateAsync(string userId, bool admin, string? name, string? email, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(userId)) throw new ArgumentException("A user id is required.", nameof(userId));
        userId = userId.Trim();
        if ((await ListAsync(userId, ct)).Count >= MaxKeysPerUser) throw new ApiKeyLimitException(MaxKeysPerUser);
        var roles = admin ? new[] { ApiRoles.Partner, ApiRoles.Admin } : [ApiRoles.Partner];
        var label = NormalizeName(name);
        for (var attempt = 0; ; attempt++)
        {
            var key = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
            var hash = Hash(key);
            var record = new ApiKeyRecord("apikey", hash[..12], userId, roles, label, email, clock.GetUtcNow());
            var listing = new ApiKeyListing(record.KeyId, hash, label, HintOf(key), roles, record.CreatedAt, null);
            try
            {
                await store.CreateAsync(OwnerContainer, userId, record.KeyId, StoreJson.ToBody(listing), ct: ct);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict && attempt < 3)
            {
                continue; // Two of the user's keys share the first 48 bits of their hash: draw another key.
            }
            try
            {
                await store.CreateAsync(Container, hash, hash, StoreJson.ToBody(record), ct: ct);
            }
            catch
            {
                await DeleteIfPresentAsync(OwnerContainer, userId, record.KeyId);
                throw;
            }
            return new CreatedApiKey(key, record);
        }
    }

    /// <summary>The key's record, or null for an unknown (or malformed) key.</summary>
    public async Task<ApiKeyRecord?> FindAsync(string? key, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Length > 200) return null;
        var hash = Hash(key.Trim());
        var document = await store.ReadAsync(Container, hash, hash, ct);
        return document is null ? null : StoreJson.FromBody<ApiKeyRecord>(document.Body);
    }

    /// <summary>The user's keys, oldest first.</summary>
    public async Task<IReadOnlyList<ApiKeySummary>> ListAsync(string userId, CancellationToken ct = default)
    {
        var keys = new List<ApiKeySummary>();
        string? continuation = null;
        do
        {
            var page = await store.QueryAsync(OwnerContainer, userId, new DocumentQuery
            {
                OrderBy = "/createdAt",
                PageSize = 100,
                ContinuationToken = continuation,
            }, ct);
            keys.AddRange(page.Items.Select(d => StoreJson.FromBody<ApiKeyListing>(d.Body).ToSummary()));
            continuation = page.ContinuationToken;
        } while (continuation is not null);
        return keys;
    }

    /// <summary>
    /// Revokes one of <paramref name="userId"/>'s keys: from the next request on it is refused. Null when the user has
    /// no key with <paramref name="keyId"/> (another user's key is never touched: the lookup stays in the owner's partition).
    /// </summary>
    public async Task<ApiKeySummary?> RevokeAsync(string userId, string keyId, CancellationToken ct = default)
    {
        if (!StoreJson.IsValidId(keyId)) return null;
        var document = await store.ReadAsync(OwnerContainer, userId, keyId.Trim(), ct);
        if (document is null) return null;
        var listing = StoreJson.FromBody<ApiKeyListing>(document.Body);
        await DeleteIfPresentAsync(Container, listing.Hash, listing.Hash, ct);
        await DeleteIfPresentAsync(OwnerContainer, userId, listing.KeyId, ct);
        return listing.ToSummary();
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string HintOf(string key) => key.Length <= Prefix.Length + 4 ? Prefix + "…" : Prefix + "…" + key[^4..];

    /// <summary>True when <paramref name="text"/> holds something shaped like a key (for guards that keep keys out of chats).</summary>
    public static bool ContainsKey(string? text) => text is not null && KeyPattern().IsMatch(text);

    /// <summary><paramref name="text"/> with every key replaced by its hint.</summary>
    public static string MaskKeys(string text) => KeyPattern().Replace(text, m => HintOf(m.Value));

    /// <summary>A label to recognise a key by: one line, at most <see cref="MaxNameLength"/> characters; null when blank.</summary>
    public static string? NormalizeName(string? name)
    {
        if (name is null) return null;
        var oneLine = string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(word => new string(word.Where(c => !char.IsControl(c)).ToArray()))
            .Where(word => word.Length > 0));
        if (oneLine.Length == 0) return null;
        return oneLine.Length <= MaxNameLength ? oneLine : oneLine[..MaxNameLength].TrimEnd();
    }

    private async Task DeleteIfPresentAsync(string container, string partitionKey, string id, CancellationToken ct = default)
    {
        try
        {
            await store.DeleteAsync(container, partitionKey, id, ct: ct);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [System.Text.RegularExpressions.GeneratedRegex(@"pbk_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")]
    private static partial System.Text.RegularExpressions.Regex KeyPattern();
}

/// <summary>The owner's list entry of a key (<see cref="ApiKeyStore.OwnerContainer"/>).</summary>
internal sealed record ApiKeyListing(
    string KeyId,
    string Hash,
    string? Name,
    string? Hint,
    IReadOnlyList<string> Roles,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt)
{
    public ApiKeySummary ToSummary() => new(KeyId, Name, Hint, Roles, CreatedAt, LastUsedAt);
}
