using Microsoft.Extensions.Options;

namespace PartnerBot.Api.Deployments.State;

/// <summary>The Terraform backends a run can keep its state in.</summary>
public enum TerraformBackendKind { Http, Azurerm, Gcs, S3 }

/// <summary>
/// <c>Deployments:Backend</c>. <c>Type</c> <c>http</c> (the default) is PartnerBot's own state endpoint and needs nothing
/// else. <c>azurerm</c>, <c>gcs</c> and <c>s3</c> name the operator's backend: <c>Settings</c> are its non-secret
/// arguments (e.g. <c>storage_account_name</c>, <c>bucket</c>, <c>region</c>) and <c>KeyTemplate</c> is the state's
/// key (<c>prefix</c> for <c>gcs</c>), holding <c>{deploymentId}</c>. Credentials come from the runner's environment.
/// </summary>
public sealed class TerraformBackendOptions
{
    public const string DeploymentIdPlaceholder = "{deploymentId}";

    /// <summary><c>Deployments:Backend:Type</c>.</summary>
    public TerraformBackendKind Type { get; set; } = TerraformBackendKind.Http;

    /// <summary>
    /// <c>Deployments:Backend:BaseUrl</c>: how runs reach the built-in http backend, when not at <c>PublicBaseUrl</c>
    /// (e.g. <c>http://127.0.0.1:3978</c> for a local runner behind a proxy).
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary><c>Deployments:Backend:KeyTemplate</c>; default <c>partnerbot/{deploymentId}.tfstate</c> (<c>partnerbot/{deploymentId}</c> for gcs).</summary>
    public string? KeyTemplate { get; set; }

    /// <summary><c>Deployments:Backend:Settings:*</c>: the backend's own arguments, passed as <c>-backend-config</c>.</summary>
    public Dictionary<string, string> Settings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The argument naming the state object: <c>prefix</c> for gcs, <c>key</c> for azurerm and s3.</summary>
    public static string KeyArgument(TerraformBackendKind kind) => kind == TerraformBackendKind.Gcs ? "prefix" : "key";

    public string EffectiveKeyTemplate => string.IsNullOrWhiteSpace(KeyTemplate)
        ? Type == TerraformBackendKind.Gcs ? "partnerbot/" + DeploymentIdPlaceholder : "partnerbot/" + DeploymentIdPlaceholder + ".tfstate"
        : KeyTemplate;
}

/// <summary>Start-up checks of <c>Deployments:Backend</c> and <c>Deployments:MaxStateBytes</c>, one line per problem, naming the key.</summary>
internal sealed class TerraformBackendOptionsValidator : IValidateOptions<DeploymentOptions>
{
    /// <summary>Arguments that carry credentials: -backend-config values are written into .terraform, so these belong in the environment.</summary>
    private static readonly HashSet<string> CredentialArguments = new(StringComparer.OrdinalIgnoreCase)
    {
        "access_key", "sas_token", "client_secret", "client_certificate_password", "client_certificate", "secret_key",
        "token", "credentials", "access_token", "encryption_key", "kms_encryption_key", "password", "oidc_token",
    };

    /// <summary>The arguments PartnerBot sets itself.</summary>
    private static readonly HashSet<string> ReservedArguments = new(StringComparer.Ordinal) { "key", "prefix" };

    private static readonly Dictionary<TerraformBackendKind, string[]> RequiredArguments = new()
    {
        [TerraformBackendKind.Azurerm] = ["storage_account_name", "container_name"],
        [TerraformBackendKind.Gcs] = ["bucket"],
        [TerraformBackendKind.S3] = ["bucket", "region"],
    };

    public ValidateOptionsResult Validate(string? name, DeploymentOptions options)
    {
        var failures = new List<string>();
        var backend = options.Backend;
        if (!Enum.IsDefined(backend.Type))
            failures.Add("Deployments:Backend:Type must be http, azurerm, gcs or s3.");
        if (backend.Type == TerraformBackendKind.Http)
        {
            if (!string.IsNullOrWhiteSpace(backend.BaseUrl)
                && (!Uri.TryCreate(backend.BaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https")))
                failures.Add("Deployments:Backend:BaseUrl must be an absolute http(s) URL.");
            if (backend.Settings.Count > 0)
                failures.Add("Deployments:Backend:Settings apply only to azurerm, gcs or s3; the built-in http backend needs none.");
        }
        else if (RequiredArguments.TryGetValue(backend.Type, out var required))
        {
            var type = backend.Type.ToString().ToLowerInvariant();
            foreach (var argument in required)
                if (!backend.Settings.TryGetValue(argument, out var value) || string.IsNullOrWhiteSpace(value))
                    failures.Add($"Deployments:Backend:Settings:{argument} is required when Deployments:Backend:Type is {type}.");
            foreach (var (argument, value) in backend.Settings)
            {
                if (CredentialArguments.Contains(argument))
                    failures.Add($"Deployments:Backend:Settings:{argument} is a credential; give it to the runner through its environment instead.");
                else if (ReservedArguments.Contains(argument))
                    failures.Add($"Deployments:Backend:Settings:{argument} is set by PartnerBot; use Deployments:Backend:KeyTemplate.");
                else if (argument.Length == 0 || !argument.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
                    failures.Add($"Deployments:Backend:Settings:{argument} is not a backend argument name (lower-case letters, digits, _).");
                else if (value.Contains('\n') || value.Contains('\r'))
                    failures.Add($"Deployments:Backend:Settings:{argument} must be one line.");
            }
            if (!backend.EffectiveKeyTemplate.Contains(TerraformBackendOptions.DeploymentIdPlaceholder, StringComparison.Ordinal))
                failures.Add("Deployments:Backend:KeyTemplate must contain {deploymentId}, so each deployment has its own state.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
