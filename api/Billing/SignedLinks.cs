using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Billing;

/// <summary>What a signed link grants: one export (<see cref="Purpose"/> with its arguments) of one user's data, until it expires.</summary>
public sealed record SignedLink(string UserId, string Purpose, IReadOnlyDictionary<string, string> Arguments, DateTimeOffset ExpiresAt);

public enum SignedLinkProblem { None, Invalid, Expired }

/// <summary>
/// Short-lived download tokens: <c>base64url(payload).base64url(HMAC-SHA256(key, payload))</c>. The payload names the
/// user, so a link can only ever serve that user's data, and any change to it breaks the signature. The key comes from
/// <c>Billing:LinkSigningKey</c> or is generated once and kept in the store, encrypted with Data Protection (so every
/// host and restart agrees, and a copy of the store alone cannot forge links).
/// </summary>
public sealed class SignedLinks(IDocumentStore store, IOptions<BillingOptions> options, TimeProvider clock, IDataProtectionProvider protection)
{
    private const string KeyPartition = "keys";
    private const string KeyId = "link-signing";
    private readonly IDataProtector _protector = protection.CreateProtector("PartnerBot.Billing.SignedLinks.v1");
    private readonly SemaphoreSlim _keyLock = new(1, 1);
    private byte[]? _key;

    public TimeSpan Lifetime => TimeSpan.FromMinutes(options.Value.LinkLifetimeMinutes);

    public async Task<string> CreateAsync(string userId, string purpose, IReadOnlyDictionary<string, string> arguments, CancellationToken ct)
    {
        var payload = new Payload(userId, purpose, new Dictionary<string, string>(arguments),
            clock.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds());
        var bytes = JsonSerializer.SerializeToUtf8Bytes(payload);
        var signature = HMACSHA256.HashData(await KeyAsync(ct), bytes);
        return WebEncoders.Base64UrlEncode(bytes) + "." + WebEncoders.Base64UrlEncode(signature);
    }

    public async Task<(SignedLink? Link, SignedLinkProblem Problem)> ValidateAsync(string token, CancellationToken ct)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == token.Length - 1 || token.Length > 4096) return (null, SignedLinkProblem.Invalid);
        byte[] bytes, signature;
        try
        {
            bytes = WebEncoders.Base64UrlDecode(token[..dot]);
            signature = WebEncoders.Base64UrlDecode(token[(dot + 1)..]);
        }
        catch (FormatException)
        {
            return (null, SignedLinkProblem.Invalid);
        }
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(await KeyAsync(ct), bytes), signature))
            return (null, SignedLinkProblem.Invalid);
        var payload = JsonSerializer.Deserialize<Payload>(bytes);
        if (payload is null) return (null, SignedLinkProblem.Invalid);
        var expires = DateTimeOffset.FromUnixTimeSeconds(payload.Exp);
        if (clock.GetUtcNow() >= expires) return (null, SignedLinkProblem.Expired);
        return (new SignedLink(payload.Sub, payload.Purpose, payload.Args, expires), SignedLinkProblem.None);
    }

    private async Task<byte[]> KeyAsync(CancellationToken ct)
    {
        if (_key is not null) return _key;
        await _keyLock.WaitAsync(ct);
        try
        {
            if (_key is not null) return _key;
            if (options.Value.LinkSigningKey.Length > 0) return _key = Convert.FromBase64String(options.Value.LinkSigningKey);
            var stored = await store.ReadAsync(BillingAccounts.Container, KeyPartition, KeyId, ct);
            if (stored is null)
            {
                try
                {
                    var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
                    stored = await store.CreateAsync(BillingAccounts.Container, KeyPartition, KeyId, KeyDocument(fresh), ct: ct);
                }
                catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
                {
                    stored = await store.ReadAsync(BillingAccounts.Container, KeyPartition, KeyId, ct)
                        ?? throw new StorageException(StorageErrorKind.Unavailable, "The link signing key vanished.");
                }
            }
            if ((string?)stored.Body["protected"] is { } protectedKey) return _key = Convert.FromBase64String(_protector.Unprotect(protectedKey));
            var plain = (string?)stored.Body["key"] ?? throw new StorageException(StorageErrorKind.Unavailable, "The link signing key is damaged.");
            await EncryptStoredKeyAsync(stored, plain, ct);
            return _key = Convert.FromBase64String(plain);
        }
        finally
        {
            _keyLock.Release();
        }
    }

    private System.Text.Json.Nodes.JsonObject KeyDocument(string key) => new() { ["type"] = "key", ["protected"] = _protector.Protect(key) };

    /// <summary>A key stored in clear by an earlier version is replaced by its encrypted form; the key itself stays the same.</summary>
    private async Task EncryptStoredKeyAsync(StoredDocument stored, string key, CancellationToken ct)
    {
        try
        {
            await store.ReplaceAsync(BillingAccounts.Container, KeyPartition, KeyId, KeyDocument(key), stored.ETag, null, ct);
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.NotFound)
        {
            // Another host encrypted it first.
        }
    }

    private sealed record Payload(string Sub, string Purpose, Dictionary<string, string> Args, long Exp);
}
