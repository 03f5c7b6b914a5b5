using Microsoft.Extensions.Configuration;

namespace PartnerBot.Api.Protection;

/// <summary>
/// <c>DataProtection:*</c>: how the Data Protection key ring is encrypted at rest. The key ring protects GitHub tokens,
/// sensitive inputs and outputs, Terraform state, Direct Line tokens and session cookies, so a copy of the store must
/// not be enough to read them.
/// </summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    /// <summary><c>DataProtection:Certificate:Path</c>: a PKCS#12 (.pfx) file with an RSA key that encrypts the key ring.</summary>
    public string CertificatePath { get; set; } = "";

    /// <summary><c>DataProtection:Certificate:Password</c>: the .pfx password (empty when it has none).</summary>
    public string CertificatePassword { get; set; } = "";

    /// <summary><c>DataProtection:KeyVault:KeyId</c>: not supported by this build; refused so it is never silently ignored.</summary>
    public string KeyVaultKeyId { get; set; } = "";

    public bool HasCertificate => CertificatePath.Length > 0;

    public static void Bind(KeyRingOptions options, IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        options.CertificatePath = section["Certificate:Path"]?.Trim() ?? "";
        options.CertificatePassword = section["Certificate:Password"] ?? "";
        options.KeyVaultKeyId = section["KeyVault:KeyId"]?.Trim() ?? "";
    }
}
