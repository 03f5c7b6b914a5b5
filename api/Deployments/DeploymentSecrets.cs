using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace PartnerBot.Api.Deployments;

/// <summary>Encrypts sensitive inputs at rest (Data Protection) and derives each deployment's runner-callback secret.</summary>
public sealed class DeploymentSecrets(IDataProtectionProvider protection, IOptions<DeploymentOptions> options)
{
    private readonly IDataProtector _inputs = protection.CreateProtector("PartnerBot.Deployments.SensitiveInputs.v1");

    public string Protect(JsonNode? value) => _inputs.Protect(value?.ToJsonString() ?? "null");

    public JsonNode? Unprotect(string protectedValue) => JsonNode.Parse(_inputs.Unprotect(protectedValue));

    /// <summary>Outputs as stored: sensitive values encrypted, never in plain text.</summary>
    public Dictionary<string, DeploymentOutput> ProtectOutputs(IReadOnlyDictionary<string, DeploymentOutput> outputs) =>
        outputs.ToDictionary(kv => kv.Key, kv => kv.Value.Sensitive && kv.Value.ProtectedValue is null
            ? kv.Value with { Value = null, ProtectedValue = Protect(kv.Value.Value) }
            : kv.Value, StringComparer.Ordinal);

    /// <summary>True when runner callbacks can be verified (a callback secret is configured).</summary>
    public bool CallbacksEnabled => options.Value.GitHubActions.CallbackSecret.Length > 0;

    /// <summary>
    /// HMAC-SHA256(<c>Deployments:GitHubActions:CallbackSecret</c>, <c>deployment:ID</c>) as hex: the workflow holds the
    /// master secret and derives the same value, so no per-deployment secret has to travel with the dispatch.
    /// </summary>
    public byte[] CallbackKey(string deploymentId)
    {
        var master = options.Value.GitHubActions.CallbackSecret;
        if (master.Length == 0) throw new InvalidOperationException("Deployments:GitHubActions:CallbackSecret is not configured.");
        var derived = HMACSHA256.HashData(Encoding.UTF8.GetBytes(master), Encoding.UTF8.GetBytes("deployment:" + deploymentId));
        return Encoding.UTF8.GetBytes(Convert.ToHexStringLower(derived));
    }

    /// <summary>The <c>X-PartnerBot-Signature</c> value for <paramref name="body"/>: <c>sha256=</c> + hex HMAC.</summary>
    public string Sign(string deploymentId, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(CallbackKey(deploymentId), body));

    public bool Verify(string deploymentId, ReadOnlySpan<byte> body, string? signature)
    {
        if (!CallbacksEnabled || signature is null || !signature.StartsWith("sha256=", StringComparison.Ordinal)) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(deploymentId, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }

    /// <summary>
    /// Encrypts the sensitive variables for the workflow: base64(nonce[12] | ciphertext | tag[16]), AES-256-GCM with
    /// key SHA-256(callback key), associated data = the deployment id.
    /// </summary>
    public string SealForRunner(string deploymentId, JsonObject sensitiveVariables)
    {
        var key = SHA256.HashData(CallbackKey(deploymentId));
        var plain = Encoding.UTF8.GetBytes(sensitiveVariables.ToJsonString());
        var nonce = RandomNumberGenerator.GetBytes(12);
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        using var aes = new AesGcm(key, tag.Length);
        aes.Encrypt(nonce, plain, cipher, tag, Encoding.UTF8.GetBytes(deploymentId));
        return Convert.ToBase64String([.. nonce, .. cipher, .. tag]);
    }

    public JsonObject OpenFromRunner(string deploymentId, string sealedValue)
    {
        var bytes = Convert.FromBase64String(sealedValue);
        var key = SHA256.HashData(CallbackKey(deploymentId));
        var plain = new byte[bytes.Length - 28];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(bytes.AsSpan(0, 12), bytes.AsSpan(12, plain.Length), bytes.AsSpan(12 + plain.Length), plain,
            Encoding.UTF8.GetBytes(deploymentId));
        return JsonNode.Parse(plain)!.AsObject();
    }
}
