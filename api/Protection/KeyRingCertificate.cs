using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PartnerBot.Api.Protection;

/// <summary>
/// Loads the key ring certificate of <see cref="KeyRingOptions"/> once per file and password, so start-up validation
/// and the key ring use the same instance and a bad file is reported as one line instead of an exception.
/// </summary>
public sealed class KeyRingCertificate : IDisposable
{
    private readonly ConcurrentDictionary<(string Path, string Password), Lazy<Loaded>> _loaded = new();

    /// <summary>The certificate, or why it cannot encrypt the key ring (naming the key to fix).</summary>
    public (X509Certificate2? Certificate, string? Problem) Load(KeyRingOptions options)
    {
        var path = Path.GetFullPath(options.CertificatePath);
        var loaded = _loaded.GetOrAdd((path, options.CertificatePassword),
            key => new Lazy<Loaded>(() => LoadFile(key.Path, key.Password))).Value;
        return (loaded.Certificate, loaded.Problem);
    }

    private static Loaded LoadFile(string path, string password)
    {
        const string key = "DataProtection:Certificate:Path";
        if (!File.Exists(path)) return new(null, $"{key}: the certificate file {path} does not exist.");
        X509Certificate2 certificate;
        try
        {
            // Ephemeral: the private key is kept in memory only, never written to a key store of the machine.
            var flags = OperatingSystem.IsMacOS() ? X509KeyStorageFlags.DefaultKeySet : X509KeyStorageFlags.EphemeralKeySet;
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password.Length == 0 ? null : password, flags);
        }
        catch (CryptographicException)
        {
            return new(null, $"{key}: {path} is not a PKCS#12 (.pfx) file that opens with DataProtection:Certificate:Password.");
        }
        using var rsa = certificate.GetRSAPrivateKey();
        if (rsa is null)
        {
            certificate.Dispose();
            return new(null, $"{key}: the certificate in {path} has no RSA private key; the key ring needs one to be encrypted and read back.");
        }
        return new(certificate, null);
    }

    public void Dispose()
    {
        foreach (var loaded in _loaded.Values.Where(l => l.IsValueCreated)) loaded.Value.Certificate?.Dispose();
    }

    private sealed record Loaded(X509Certificate2? Certificate, string? Problem);
}
