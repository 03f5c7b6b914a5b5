using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace PartnerBot.Api.Deployments;

/// <summary>Where the local runner keeps one folder per deployment (module source and Terraform state).</summary>
public sealed partial class DeploymentWorkFolders(IOptions<DeploymentOptions> options, IConfiguration configuration)
{
    public string Root
    {
        get
        {
            if (options.Value.Local.WorkRoot is { Length: > 0 } configured) return Path.GetFullPath(configured);
            var database = configuration["Storage:Sqlite:Path"] is { Length: > 0 } path ? path : "./data/partnerbot.db";
            return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(database) is { Length: > 0 } dir ? dir : ".", "work"));
        }
    }

    public string For(string partnerId, string deploymentId) => Path.Combine(Root, Safe(partnerId), Safe(deploymentId));

    private static string Safe(string value)
    {
        var safe = UnsafeCharacters().Replace(value, "_");
        return safe.StartsWith('.') ? "_" + safe : safe;
    }

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex UnsafeCharacters();
}
