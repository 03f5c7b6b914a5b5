using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Deployments.State;

/// <summary>
/// Each deployment's HTTP basic credentials for the state endpoint: user <see cref="UserName"/> (or the deployment id),
/// password HMAC-SHA256(master, <c>terraform-state:ID</c>) as hex. The master is 32 random bytes made once and kept in
/// the store, encrypted with Data Protection, so every host sharing the store (and its key ring) derives the same
/// passwords and no configuration is needed.
/// </summary>
public sealed class TerraformStateCredentials(IDocumentStore store, IDataProtectionProvider protection)
{
    public const string UserName = "deployment";
    public const string Container = "terraformstatekeys";
    private const string Partition = "http-backend";
    private const string MasterId = "master";
    private const string Purpose = "terraform-state:";

    private readonly IDataProtector _protector = protection.CreateProtector("PartnerBot.Deployments.TerraformStateCredentials.v1");
    private readonly SemaphoreSlim _loading = new(1, 1);
    private byte[]? _master;

    /// <summary>The password of <paramref name="deploymentId"/>.</summary>
    public async Task<string> PasswordAsync(string deploymentId, CancellationToken ct = default)
    {
        var master = await MasterAsync(ct);
        return Convert.ToHexStringLower(HMACSHA256.HashData(master, Encoding.UTF8.GetBytes(Purpose + deploymentId)));
    }

    /// <summary>
    /// Checks credentials sent for <paramref name="deploymentId"/>'s state. <see cref="CredentialCheck.OtherDeployment"/>
    /// when they are the valid credentials of another deployment (its id as user name).
    /// </summary>
    public async Task<CredentialCheck> CheckAsync(string deploymentId, string user, string password, CancellationToken ct = default)
    {
        var forThis = user == UserName || user == deploymentId;
        var owner = forThis ? deploymentId : user;
        if (owner.Length is 0 or > 255) return CredentialCheck.Invalid;
        var expected = Encoding.ASCII.GetBytes(await PasswordAsync(owner, ct));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(password))) return CredentialCheck.Invalid;
        return forThis ? CredentialCheck.Valid : CredentialCheck.OtherDeployment;
    }

    private async Task<byte[]> MasterAsync(CancellationToken ct)
    {
        if (_master is { } known) return known;
        await _loading.WaitAsync(ct);
        try
        {
            if (_master is { } loaded) return loaded;
            var document = await store.ReadAsync(Container, Partition, MasterId, ct);
            if (document is null)
            {
                var fresh = RandomNumberGenerator.GetBytes(32);
                try
                {
                    document = await store.CreateAsync(Container, Partition, MasterId,
                        new JsonObject { ["type"] = "stateCredentialsMaster", ["protected"] = _protector.Protect(Convert.ToBase64String(fresh)) },
                        ct: ct);
                }
                catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
                {
                    // Another host made it first: everyone uses that one.
                    document = await store.ReadAsync(Container, Partition, MasterId, ct)
                        ?? throw new StorageException(StorageErrorKind.Unavailable, "The state credentials key vanished while it was created.");
                }
            }
            var protectedValue = (string?)document.Body["protected"]
                ?? throw new StorageException(StorageErrorKind.Unavailable, "The state credentials key is damaged.");
            return _master = Convert.FromBase64String(_protector.Unprotect(protectedValue));
        }
        finally
        {
            _loading.Release();
        }
    }
}

public enum CredentialCheck { Valid, Invalid, OtherDeployment }
