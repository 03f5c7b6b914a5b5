namespace PartnerBot.Api.Modules.Policy;

/// <summary>
/// Terraform provider source addresses (<c>[host/]namespace/type</c>) and the allow-list patterns that match them.
/// A pattern names a namespace (<c>hashicorp</c>, <c>hashicorp/*</c>) or one provider (<c>integrations/github</c>),
/// optionally on a host (<c>registry.example.com/acme/*</c>); without a host it means the public registries.
/// </summary>
public static class ProviderAddress
{
    public const string DefaultHost = "registry.terraform.io";
    public const string BuiltInHost = "terraform.io";
    public const string BuiltInTerraform = "terraform.io/builtin/terraform";

    /// <summary>The hosts a pattern without a host refers to: Terraform's and OpenTofu's public registries.</summary>
    public static IReadOnlyList<string> PublicRegistries { get; } = [DefaultHost, "registry.opentofu.org"];

    /// <summary>The default allow list when <c>Deployments:AllowedProviders</c> is empty.</summary>
    public static IReadOnlyList<string> DefaultAllowed { get; } = ["hashicorp/*"];

    public static bool IsBuiltIn(string address) => address.StartsWith(BuiltInHost + "/builtin/", StringComparison.Ordinal);

    /// <summary>The full address (<c>host/namespace/type</c>, lower case) of a <c>source</c> string, or null when it is not one.</summary>
    public static string? Normalize(string source)
    {
        var parts = source.Trim().ToLowerInvariant().Split('/');
        return parts switch
        {
            [var ns, var type] when IsName(ns) && IsName(type) => $"{DefaultHost}/{ns}/{type}",
            [var host, var ns, var type] when IsHost(host) && IsName(ns) && IsName(type) => $"{host}/{ns}/{type}",
            _ => null,
        };
    }

    /// <summary>The address a local name means when <c>required_providers</c> does not declare it.</summary>
    public static string Implied(string localName) =>
        localName == "terraform" ? BuiltInTerraform : $"{DefaultHost}/hashicorp/{localName.ToLowerInvariant()}";

    /// <summary>Why <paramref name="pattern"/> is not a valid allow-list entry, or null when it is.</summary>
    public static string? PatternProblem(string pattern)
    {
        if (pattern.Trim() == "*") return null;
        var parts = Split(pattern);
        var (host, rest) = parts.Length > 0 && IsHost(parts[0]) ? (parts[0], parts[1..]) : (null, parts);
        _ = host;
        return rest switch
        {
            [var ns] when IsName(ns) => null,
            [var ns, var type] when IsName(ns) && (type == "*" || IsName(type)) => null,
            _ => $"'{pattern}' is not a provider source or namespace (e.g. hashicorp/*, integrations/github, registry.example.com/acme/*).",
        };
    }

    public static bool Matches(string pattern, string address)
    {
        if (pattern.Trim() == "*") return true;
        var parts = Split(pattern);
        var addressParts = address.Split('/');
        if (addressParts.Length != 3) return false;
        string[] hosts;
        string[] rest;
        if (parts.Length > 0 && IsHost(parts[0])) (hosts, rest) = ([parts[0]], parts[1..]);
        else (hosts, rest) = (PublicRegistries.ToArray(), parts);
        if (!hosts.Contains(addressParts[0], StringComparer.Ordinal)) return false;
        return rest switch
        {
            [var ns] => ns == addressParts[1],
            [var ns, "*"] => ns == addressParts[1],
            [var ns, var type] => ns == addressParts[1] && type == addressParts[2],
            _ => false,
        };
    }

    private static string[] Split(string pattern) => pattern.Trim().ToLowerInvariant().Split('/');

    internal static bool IsHost(string part) =>
        part.Contains('.') && char.IsAsciiLetterOrDigit(part[0]) && char.IsAsciiLetterOrDigit(part[^1])
        && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':');

    internal static bool IsName(string part) =>
        part.Length is > 0 and <= 64 && char.IsAsciiLetterOrDigit(part[0]) && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
