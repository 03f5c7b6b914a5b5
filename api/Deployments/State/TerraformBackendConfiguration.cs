using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Http;

namespace PartnerBot.Api.Deployments.State;

/// <summary>
/// What one run needs to keep a deployment's state in its backend:
/// <list type="number">
/// <item>write <see cref="OverrideFileContent"/> as <see cref="OverrideFileName"/> into the work folder (an
/// <c>_override.tf</c> file, so it wins over any backend the module declares);</item>
/// <item>pass <see cref="InitArguments"/> to <c>terraform init</c> (the backend's non-secret settings);</item>
/// <item>add <see cref="Environment"/> to the Terraform process (secrets such as <c>TF_HTTP_PASSWORD</c>: never on a
/// command line, in a file or a log; <see cref="SecretValues"/> lists what to mask).</item>
/// </list>
/// </summary>
public sealed record TerraformBackendSetup(
    TerraformBackendKind Kind,
    string OverrideFileContent,
    IReadOnlyList<KeyValuePair<string, string>> BackendConfig,
    IReadOnlyDictionary<string, string> Environment)
{
    public const string OverrideFileName = "partnerbot_backend_override.tf";

    /// <summary>Terraform's name of the backend: <c>http</c>, <c>azurerm</c>, <c>gcs</c> or <c>s3</c>.</summary>
    public string BackendType => Kind.ToString().ToLowerInvariant();

    /// <summary><c>-backend-config=KEY=VALUE</c> for each setting, in order.</summary>
    public IReadOnlyList<string> InitArguments => BackendConfig.Select(kv => $"-backend-config={kv.Key}={kv.Value}").ToList();

    /// <summary>Values a log must never show.</summary>
    public IReadOnlyList<string> SecretValues => Environment.Values.Where(v => v.Length > 0).ToList();

    /// <summary>Writes the backend block into <paramref name="workFolder"/>.</summary>
    public Task WriteOverrideFileAsync(string workFolder, CancellationToken ct = default) =>
        File.WriteAllTextAsync(Path.Combine(workFolder, OverrideFileName), OverrideFileContent, ct);
}

/// <summary>
/// Produces each deployment's <see cref="TerraformBackendSetup"/> from <c>Deployments:Backend</c>: the built-in
/// <c>http</c> backend at <c>{PublicBaseUrl}/api/terraform/state/{deploymentId}</c> (or <c>Deployments:Backend:BaseUrl</c>)
/// with the deployment's own credentials, or the operator's <c>azurerm</c>/<c>gcs</c>/<c>s3</c> backend with the key
/// template expanded.
/// </summary>
public sealed class TerraformBackendConfiguration(IOptions<DeploymentOptions> options, IConfiguration configuration,
    TerraformStateCredentials credentials, IServiceProvider services)
{
    public const string PasswordVariable = "TF_HTTP_PASSWORD";

    /// <summary>The setup for a run somewhere else (a GitHub Actions job): the built-in backend at its public address.</summary>
    public Task<TerraformBackendSetup> ForDeploymentAsync(string deploymentId, CancellationToken ct = default) =>
        ForDeploymentAsync(deploymentId, localRun: false, ct);

    /// <summary>
    /// The setup for a run on this host: the built-in backend at the address this host listens on (loopback), so a run
    /// never goes out through a load balancer or proxy to reach its own host; <c>Deployments:Backend:BaseUrl</c> wins.
    /// </summary>
    public Task<TerraformBackendSetup> ForLocalRunAsync(string deploymentId, CancellationToken ct = default) =>
        ForDeploymentAsync(deploymentId, localRun: true, ct);

    private async Task<TerraformBackendSetup> ForDeploymentAsync(string deploymentId, bool localRun, CancellationToken ct)
    {
        if (!StoreJson.IsValidId(deploymentId)) throw new ArgumentException($"'{deploymentId}' is not a deployment id.", nameof(deploymentId));
        var backend = options.Value.Backend;
        if (backend.Type != TerraformBackendKind.Http)
        {
            var settings = backend.Settings.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Append(new(TerraformBackendOptions.KeyArgument(backend.Type),
                    backend.EffectiveKeyTemplate.Replace(TerraformBackendOptions.DeploymentIdPlaceholder, deploymentId, StringComparison.Ordinal)))
                .ToList();
            return new TerraformBackendSetup(backend.Type, Block(backend.Type), settings, new Dictionary<string, string>());
        }

        var address = localRun && options.Value.Backend.BaseUrl is not { Length: > 0 } && OwnAddress() is { } own
            ? Address(own, deploymentId)
            : StateAddress(deploymentId);
        return new TerraformBackendSetup(TerraformBackendKind.Http, Block(TerraformBackendKind.Http),
            [
                new("address", address),
                new("lock_address", address),
                new("unlock_address", address),
                new("lock_method", TerraformStateEndpoints.LockMethod),
                new("unlock_method", TerraformStateEndpoints.UnlockMethod),
                new("username", TerraformStateCredentials.UserName),
            ],
            new Dictionary<string, string> { [PasswordVariable] = await credentials.PasswordAsync(deploymentId, ct) });
    }

    /// <summary>The built-in backend's address for <paramref name="deploymentId"/>.</summary>
    public string StateAddress(string deploymentId)
    {
        var baseUrl = options.Value.Backend.BaseUrl is { Length: > 0 } configured
            ? configured
            : configuration["PublicBaseUrl"] is { Length: > 0 } publicBase ? publicBase : "http://localhost:3978";
        return Address(baseUrl, deploymentId);
    }

    private static string Address(string baseUrl, string deploymentId) =>
        baseUrl.TrimEnd('/') + ApiRoutes.TerraformState.Replace("{id}", Uri.EscapeDataString(deploymentId), StringComparison.Ordinal);

    /// <summary>An http address this host's server is bound to, in a form a local process can call; null without a server.</summary>
    private string? OwnAddress()
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null) return null;
        foreach (var address in addresses)
        {
            if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0"), UriKind.Absolute, out var uri)) continue;
            if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) continue;
            var host = uri.Host is "0.0.0.0" or "[::]" or "::" ? "127.0.0.1" : uri.Host;
            // A certificate is issued for the public name, not for loopback: prefer plain http when the host has it.
            if (uri.Scheme == Uri.UriSchemeHttps && addresses.Any(a => a.StartsWith("http://", StringComparison.Ordinal))) continue;
            return $"{uri.Scheme}://{host}:{uri.Port}";
        }
        return null;
    }

    private static string Block(TerraformBackendKind kind) => new StringBuilder()
        .Append("# Written by PartnerBot for every run: this deployment's state lives in its backend, not in the work folder.\n")
        .Append("terraform {\n")
        .Append("  backend \"").Append(kind.ToString().ToLowerInvariant()).Append("\" {}\n")
        .Append("}\n")
        .ToString();
}
