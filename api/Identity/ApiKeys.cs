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
public sealed record CreatedApiKey(string Key, ApiKeyRecord Record);

/// <summary>Per-user API keys (container <c>apikeys</c>, partition and id = hex SHA-256 of the key).</summary>
public sealed class ApiKeyStore(IDocumentStore store, TimeProvider clock)
{
    public const string Container = "apikeys";
    public const string Prefix = "pbk_";

    public async Task<CreatedApiKey> CreateAsync(string userId, bool admin, string? name, string? email, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(userId)) throw new ArgumentException("A user id is required.", nameof(userId));
        var key = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var hash = Hash(key);
        var roles = admin ? new[] { ApiRoles.Partner, ApiRoles.Admin } : [ApiRoles.Partner];
        var record = new ApiKeyRecord("apikey", hash[..12], userId.Trim(), roles, name, email, clock.GetUtcNow());
        await store.CreateAsync(Container, hash, hash, StoreJson.ToBody(record), ct: ct);
        return new CreatedApiKey(key, record);
    }

    /// <summary>The key's record, or null for an unknown (or malformed) key.</summary>
    public async Task<ApiKeyRecord?> FindAsync(string? key, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Length > 200) return null;
        var hash = Hash(key.Trim());
        var document = await store.ReadAsync(Container, hash, hash, ct);
        return document is null ? null : StoreJson.FromBody<ApiKeyRecord>(document.Body);
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
