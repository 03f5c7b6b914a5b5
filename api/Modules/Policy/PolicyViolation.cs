namespace PartnerBot.Api.Modules.Policy;

/// <summary>One reason a module may not be published or run: where it is and why.</summary>
/// <param name="File">The file's path inside the module folder, e.g. <c>main.tf</c> or <c>network/main.tf</c>.</param>
public sealed record PolicyViolation(string File, int Line, string Reason)
{
    public override string ToString() => $"{File}:{Line}: {Reason}";
}

/// <summary>What the policy found in a module: its violations, and what it will need when it runs.</summary>
/// <param name="Providers">Every provider the module uses, as full source addresses (<c>registry.terraform.io/hashicorp/aws</c>).</param>
/// <param name="RegistryModules">The registry module sources it calls (already allowed, or listed in <see cref="Violations"/>).</param>
public sealed record ModuleAnalysis(
    IReadOnlyList<PolicyViolation> Violations,
    IReadOnlySet<string> Providers,
    IReadOnlyList<string> RegistryModules)
{
    public bool Allowed => Violations.Count == 0;

    /// <summary>Providers other than Terraform's built-in one, and registry modules, are downloaded and usually call cloud APIs.</summary>
    public bool NeedsNetwork => RegistryModules.Count > 0 || Providers.Any(p => !ProviderAddress.IsBuiltIn(p));

    /// <summary>The violations as one sentence for a card or a log line (the first <paramref name="max"/>, then a count).</summary>
    public string Describe(int max = 5)
    {
        var shown = string.Join(" ", Violations.Take(max));
        return Violations.Count > max ? $"{shown} And {Violations.Count - max} more." : shown;
    }
}
