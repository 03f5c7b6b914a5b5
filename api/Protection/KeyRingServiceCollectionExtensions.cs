using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Protection;

public static class KeyRingServiceCollectionExtensions
{
    public const string ApplicationName = "PartnerBot";

    /// <summary>
    /// The Data Protection key ring in the document store (so protected values survive restarts and are shared by every
    /// instance), encrypted with the certificate of <c>DataProtection:Certificate:*</c>. Outside Development a missing
    /// or unusable certificate stops the host at start-up; in Development the ring may stay unencrypted (with a warning).
    /// </summary>
    public static IServiceCollection AddPartnerBotKeyRing(this IServiceCollection services, IConfiguration configuration)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>()
            .Configure<IDocumentStore>((o, store) => o.XmlRepository = new DocumentStoreXmlRepository(store));

        // The certificate is read while the services are registered, because Data Protection takes it as an instance; a
        // bad file registers nothing here and is reported by the start-up validation below.
        var certificates = new KeyRingCertificate();
        services.AddSingleton(certificates);
        var ring = new KeyRingOptions();
        KeyRingOptions.Bind(ring, configuration);
        if (ring.HasCertificate && certificates.Load(ring).Certificate is { } certificate)
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);

        services.AddOptions<KeyRingOptions>()
            .Configure<IConfiguration>((o, c) => KeyRingOptions.Bind(o, c))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyRingOptions>, KeyRingOptionsValidation>());
        services.AddHostedService<KeyRingProtectionNotice>();
        return services;
    }

    /// <summary>Reports the first problem with the key ring's protection by key, in one line.</summary>
    private sealed class KeyRingOptionsValidation(IHostEnvironment environment, KeyRingCertificate certificates) : IValidateOptions<KeyRingOptions>
    {
        public ValidateOptionsResult Validate(string? name, KeyRingOptions options)
        {
            if (options.KeyVaultKeyId.Length > 0)
                return ValidateOptionsResult.Fail("DataProtection:KeyVault:KeyId is not supported by this build; encrypt the key ring with DataProtection:Certificate:Path and DataProtection:Certificate:Password instead.");
            if (options.HasCertificate)
                return certificates.Load(options).Problem is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
            return environment.IsDevelopment()
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail("DataProtection:Certificate:Path is required outside Development: the Data Protection key ring " +
                                             "(which protects GitHub tokens, secret inputs, Terraform state and sign-in tokens) must be encrypted at rest with a certificate.");
        }
    }

    /// <summary>Says at start-up, in Development, that the key ring is kept unencrypted.</summary>
    private sealed class KeyRingProtectionNotice(IOptions<KeyRingOptions> options, ILogger<KeyRingProtectionNotice> log) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (!options.Value.HasCertificate)
                log.LogWarning("The Data Protection key ring is stored unencrypted (allowed in Development only); set {PathKey} and {PasswordKey} to encrypt it at rest",
                    "DataProtection:Certificate:Path", "DataProtection:Certificate:Password");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
