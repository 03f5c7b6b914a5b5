namespace PartnerBot.Api.Modules.Policy;

/// <summary>
/// The <c>source</c> of a <c>module</c> block: a local path, a registry address (<c>[host/]namespace/name/system</c>,
/// optionally <c>//sub-folder</c>), or anything else Terraform can fetch (git, http, buckets), and the allow-list
/// patterns for registry sources: <c>namespace</c>, <c>namespace/*</c>, <c>namespace/name/*</c> or
/// <c>namespace/name/system</c>, optionally with a host; without a host a pattern means the public registries.
/// </summary>
public static class ModuleSourceAddress
{
    public static bool IsLocal(string source) => source.StartsWith("./", StringComparison.Ordinal) || source.StartsWith("../", StringComparison.Ordinal);

    /// <summary>The registry address (<c>host/namespace/name/system</c>, lower case) of a source, or null when it is not one.</summary>
    public static string? Registry(string source)
    {
        var address = source.Trim();
        var subFolder = address.IndexOf("//", StringComparison.Ordinal);
        if (subFolder >= 0) address = address[..subFolder];
        var parts = address.ToLowerInvariant().Split('/');
        return parts switch
        {
            [var ns, var name, var system] when Names(ns, name, system) => $"{ProviderAddress.DefaultHost}/{ns}/{name}/{system}",
            [var host, var ns, var name, var system] when ProviderAddress.IsHost(host) && Names(ns, name, system) => $"{host}/{ns}/{name}/{system}",
            _ => null,
        };
    }

    /// <summary>
    /// Where a local source points, relative to the module's root folder (<c>""</c> is the root itself), or null when it
    /// leaves the module's folder. <paramref name="fromFolder"/> is the calling file's folder inside the module.
    /// </summary>
    public static string? ResolveLocal(string fromFolder, string source)
    {
        var parts = new List<string>(fromFolder.Split('/', StringSplitOptions.RemoveEmptyEntries));
        foreach (var part in source.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (parts.Count == 0) return null;
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    public static string? PatternProblem(string pattern)
    {
        if (pattern.Trim() == "*") return null;
        var parts = pattern.Trim().ToLowerInvariant().Split('/');
        var rest = parts.Length > 0 && ProviderAddress.IsHost(parts[0]) ? parts[1..] : parts;
        var valid = rest switch
        {
            [var ns] => ProviderAddress.IsName(ns),
            [var ns, "*"] => ProviderAddress.IsName(ns),
            [var ns, var name, "*"] => ProviderAddress.IsName(ns) && ProviderAddress.IsName(name),
            [var ns, var name, var system] => Names(ns, name, system),
            _ => false,
        };
        return valid ? null : $"'{pattern}' is not a registry module source or namespace (e.g. terraform-aws-modules/*, terraform-aws-modules/vpc/aws).";
    }

    public static bool Matches(string pattern, string registryAddress)
    {
        if (pattern.Trim() == "*") return true;
        var parts = pattern.Trim().ToLowerInvariant().Split('/');
        var address = registryAddress.Split('/');
        if (address.Length != 4) return false;
        var (hosts, rest) = parts.Length > 0 && ProviderAddress.IsHost(parts[0])
            ? (new[] { parts[0] }, parts[1..])
            : (ProviderAddress.PublicRegistries.ToArray(), parts);
        if (!hosts.Contains(address[0], StringComparer.Ordinal)) return false;
        return rest switch
        {
            [var ns] => ns == address[1],
            [var ns, "*"] => ns == address[1],
            [var ns, var name, "*"] => ns == address[1] && name == address[2],
            [var ns, var name, var system] => ns == address[1] && name == address[2] && system == address[3],
            _ => false,
        };
    }

    private static bool Names(string ns, string name, string system) =>
        ProviderAddress.IsName(ns) && ProviderAddress.IsName(name) && system.Length > 0 && system.All(char.IsAsciiLetterOrDigit);
}
