using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Billing;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Api.Protection;
using PartnerBot.Api.Storage;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Protection;

/// <summary>
/// The Data Protection key ring, and the keys kept under it, as they lie in the SQLite file and its write-ahead log:
/// with a certificate configured no key is readable from the bytes alone.
/// </summary>
public sealed class KeyRingAtRestTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("partnerbot-keyring-test-");

    private string DatabasePath => Path.Combine(_folder.FullName, "partnerbot.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { _folder.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task With_a_certificate_the_store_holds_no_key_in_clear()
    {
        var certificate = TestKeyRingCertificate.Create(_folder.FullName, "ring-password-1");
        string masterKey, linkKey, stateKey;
        await using (var host = await StartAsync(certificate))
        {
            // Creates the first key of the ring, the signed-link key and the state credentials key.
            Assert.Equal("hello", Protector(host).Unprotect(Protector(host).Protect("hello")));
            await host.Services.GetRequiredService<SignedLinks>().CreateAsync("user-1", "invoice", new Dictionary<string, string>(), CancellationToken.None);
            await host.Services.GetRequiredService<TerraformStateCredentials>().PasswordAsync("deployment-1");

            var key = Assert.Single(new DocumentStoreXmlRepository(host.Services.GetRequiredService<IDocumentStore>()).GetAllElements());
            Assert.DoesNotContain(key.Descendants(), e => e.Name.LocalName == "masterKey");
            var secret = Assert.Single(key.Descendants(), e => e.Name.LocalName == "encryptedSecret");
            Assert.Contains(nameof(EncryptedXmlDecryptor), (string?)secret.Attribute("decryptorType"));
            var encryptedFor = key.Descendants().Single(e => e.Name.LocalName == "X509Certificate").Value;
            Assert.Equal(certificate.Thumbprint, X509CertificateLoader.LoadCertificate(Convert.FromBase64String(encryptedFor)).Thumbprint);

            // What the certificate's private key turns it back into: the key itself, which must appear nowhere on disk.
            var decrypted = new EncryptedXmlDecryptor(host.Services).Decrypt(secret.Elements().Single());
            Assert.Equal("masterKey", decrypted.Name.LocalName);
            masterKey = decrypted.Elements().Single(e => e.Name.LocalName == "value").Value;
            linkKey = StoredKey(host, BillingAccounts.Container, "keys", "link-signing", "PartnerBot.Billing.SignedLinks.v1");
            stateKey = StoredKey(host, TerraformStateCredentials.Container, "http-backend", "master", "PartnerBot.Deployments.TerraformStateCredentials.v1");

            AssertNothingInClear(RawDatabaseBytes.Read(DatabasePath), masterKey, linkKey, stateKey);
        }
        // Closed: the log is checkpointed into the file.
        AssertNothingInClear(RawDatabaseBytes.Read(DatabasePath), masterKey, linkKey, stateKey);

        // A restart with the same certificate reads the ring back: what was protected before stays readable.
        await using (var again = await StartAsync(certificate))
        {
            var links = again.Services.GetRequiredService<SignedLinks>();
            var token = await links.CreateAsync("user-1", "invoice", new Dictionary<string, string>(), CancellationToken.None);
            Assert.Equal(SignedLinkProblem.None, (await links.ValidateAsync(token, CancellationToken.None)).Problem);
            Assert.Equal(linkKey, StoredKey(again, BillingAccounts.Container, "keys", "link-signing", "PartnerBot.Billing.SignedLinks.v1"));
        }
    }

    [Fact]
    public async Task A_link_key_stored_in_clear_by_an_earlier_version_is_kept_and_encrypted()
    {
        var legacyKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var host = await StartAsync(TestKeyRingCertificate.Create(_folder.FullName, "ring-password-2"));
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await store.CreateAsync(BillingAccounts.Container, "keys", "link-signing",
            new System.Text.Json.Nodes.JsonObject { ["type"] = "key", ["key"] = legacyKey });

        // A link signed with the old key is still valid once the key is read (and re-stored encrypted).
        var links = host.Services.GetRequiredService<SignedLinks>();
        var token = await links.CreateAsync("user-1", "invoice", new Dictionary<string, string>(), CancellationToken.None);
        var stored = (await store.ReadAsync(BillingAccounts.Container, "keys", "link-signing"))!.Body;
        Assert.Null(stored["key"]);
        Assert.Equal(legacyKey, StoredKey(host, BillingAccounts.Container, "keys", "link-signing", "PartnerBot.Billing.SignedLinks.v1"));
        var payload = token[..token.IndexOf('.')];
        var expected = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(
            System.Security.Cryptography.HMACSHA256.HashData(Convert.FromBase64String(legacyKey), Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(payload)));
        Assert.Equal(expected, token[(token.IndexOf('.') + 1)..]);
    }

    [Fact]
    public async Task A_certificate_that_does_not_open_stops_the_host_naming_the_key()
    {
        var certificate = TestKeyRingCertificate.Create(_folder.FullName, "right-password");
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await StartAsync(certificate with { Password = "wrong-password" });
        });
        var line = Assert.Single(failure.Failures);
        Assert.StartsWith("DataProtection:Certificate:Path", line);
        Assert.DoesNotContain("wrong-password", line);

        var missing = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await StartAsync(certificate with { Path = Path.Combine(_folder.FullName, "absent.pfx") });
        });
        Assert.Contains("does not exist", Assert.Single(missing.Failures));
    }

    [Fact]
    public async Task A_key_vault_key_is_refused_rather_than_ignored()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await BotTestHost.StartAsync(new Dictionary<string, string?>
            {
                ["DataProtection:KeyVault:KeyId"] = "https://vault.example.com/keys/ring/1",
            }, _folder.FullName);
        });
        Assert.Contains("DataProtection:KeyVault:KeyId", Assert.Single(failure.Failures));
    }

    [Fact]
    public async Task In_development_without_a_certificate_the_host_starts_and_warns_that_the_ring_is_unencrypted()
    {
        var logs = new LogCapture();
        await using var host = await BotTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["DataProtection:Certificate:Path"] = "",
            ["DataProtection:Certificate:Password"] = "",
        }, _folder.FullName, configure: b => b.Logging.AddProvider(logs));
        Assert.Equal("hello", Protector(host).Unprotect(Protector(host).Protect("hello")));
        Assert.Contains(logs.AtLeast(LogLevel.Warning), line => line.Contains("key ring is stored unencrypted") && line.Contains("DataProtection:Certificate:Path"));
        var key = Assert.Single(new DocumentStoreXmlRepository(host.Services.GetRequiredService<IDocumentStore>()).GetAllElements());
        Assert.Single(key.Descendants(), e => e.Name.LocalName == "masterKey");
    }

    private Task<BotTestHost> StartAsync(KeyRingCertificateFile certificate) => BotTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["DataProtection:Certificate:Path"] = certificate.Path,
        ["DataProtection:Certificate:Password"] = certificate.Password,
    }, _folder.FullName);

    private static IDataProtector Protector(BotTestHost host) =>
        host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("PartnerBot.Tests.KeyRing");

    /// <summary>A key kept in the store as Data Protection ciphertext (<c>protected</c>), decrypted with the host's ring.</summary>
    private static string StoredKey(BotTestHost host, string container, string partition, string id, string purpose)
    {
        var body = host.Services.GetRequiredService<IDocumentStore>().ReadAsync(container, partition, id).GetAwaiter().GetResult()!.Body;
        var protectedValue = (string?)body["protected"];
        Assert.NotNull(protectedValue);
        return host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(purpose).Unprotect(protectedValue);
    }

    private static void AssertNothingInClear(RawDatabaseBytes bytes, string masterKey, string linkKey, string stateKey)
    {
        // The encrypted ring is there (so the search reads what the store wrote) ...
        bytes.AssertHolds("encryptedSecret");
        // ... and no key is readable from it.
        bytes.AssertNotHeld("masterKey", "an unencrypted key ring element");
        bytes.AssertNotHeld(masterKey, "the key ring's master key");
        bytes.AssertNotHeld(linkKey, "the signed-link key");
        bytes.AssertNotHeld(stateKey, "the state credentials key");
    }
}
