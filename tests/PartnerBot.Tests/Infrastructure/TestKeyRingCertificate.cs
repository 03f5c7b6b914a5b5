using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PartnerBot.Tests.Infrastructure;

/// <summary>
/// Throwaway certificates for the Data Protection key ring. Every host the tests start (in this process or as a child
/// process) encrypts its key ring with <see cref="Shared"/>, as a production host must; tests of the key ring itself
/// make their own with <see cref="Create"/> or clear the setting.
/// </summary>
public static class TestKeyRingCertificate
{
    public const string PathVariable = "DataProtection__Certificate__Path";
    public const string PasswordVariable = "DataProtection__Certificate__Password";

    public static KeyRingCertificateFile Shared { get; } = Create(Directory.CreateTempSubdirectory("partnerbot-keyring-").FullName, "test-key-ring-password");

#pragma warning disable CA2255 // The test assembly is the application here: its hosts read the key ring settings from the environment.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void UseForEveryHost()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 }) return;
        Environment.SetEnvironmentVariable(PathVariable, Shared.Path);
        Environment.SetEnvironmentVariable(PasswordVariable, Shared.Password);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(System.IO.Path.GetDirectoryName(Shared.Path)!, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
    }

    /// <summary>A self-signed RSA certificate written as <c>keyring.pfx</c> in <paramref name="folder"/>.</summary>
    public static KeyRingCertificateFile Create(string folder, string password)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=PartnerBot test key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment, critical: false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        var path = System.IO.Path.Combine(folder, "keyring.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return new KeyRingCertificateFile(path, password, certificate.Thumbprint);
    }
}

public sealed record KeyRingCertificateFile(string Path, string Password, string Thumbprint);
