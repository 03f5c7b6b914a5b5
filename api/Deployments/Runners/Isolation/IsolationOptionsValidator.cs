using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Modules.Policy;

namespace PartnerBot.Api.Deployments.Runners.Isolation;

/// <summary>Start-up checks of the isolation and policy settings: each failure names its key.</summary>
internal sealed partial class IsolationOptionsValidator : IValidateOptions<DeploymentOptions>
{
    public ValidateOptionsResult Validate(string? name, DeploymentOptions options)
    {
        var failures = new List<string>();
        var local = options.Local;
        if (!string.IsNullOrWhiteSpace(local.Sandbox) && local.SandboxChoice is null)
            failures.Add($"Deployments:Local:Sandbox must be bubblewrap or none, not '{local.Sandbox}'.");
        foreach (var variable in local.PassEnvironment)
        {
            if (!VariableName().IsMatch(variable))
                failures.Add($"Deployments:Local:PassEnvironment: '{variable}' is not an environment variable name.");
            else if (RunEnvironment.Reserved.Contains(variable))
                failures.Add($"Deployments:Local:PassEnvironment: {variable} is set by the platform for every run and cannot be passed on.");
        }
        if (local.PluginMirror is { Length: > 0 } mirror && !Directory.Exists(mirror))
            failures.Add($"Deployments:Local:PluginMirror: the folder '{mirror}' does not exist.");
        if (local.GracePeriod < TimeSpan.Zero || local.GracePeriod > TimeSpan.FromHours(1))
            failures.Add("Deployments:Local:GracePeriod must be between 0 and 1 hour.");
        foreach (var pattern in options.AllowedProviders)
            if (ProviderAddress.PatternProblem(pattern) is { } problem) failures.Add("Deployments:AllowedProviders: " + problem);
        foreach (var pattern in options.AllowedModuleSources)
            if (ModuleSourceAddress.PatternProblem(pattern) is { } problem) failures.Add("Deployments:AllowedModuleSources: " + problem);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();
}
