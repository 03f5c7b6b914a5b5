using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace PartnerBot.Api.Publishing;

/// <summary>The <c>GitHub:*</c> settings: where the API is, the platform modules repository, and sync limits.</summary>
public sealed class GitHubOptions
{
    /// <summary><c>GitHub:ApiBaseUrl</c> (default <c>https://api.github.com/</c>).</summary>
    public string ApiBaseUrl { get; set; } = "https://api.github.com/";

    /// <summary><c>GitHub:PlatformRepository</c>: <c>owner/name</c> of the platform modules, or empty.</summary>
    public string PlatformRepository { get; set; } = "";

    /// <summary><c>GitHub:PlatformToken</c>: the token that reads the platform repository.</summary>
    public string PlatformToken { get; set; } = "";

    /// <summary><c>GitHub:PlatformSyncMinutes</c>: how often the platform repository is synced (default 15).</summary>
    public double PlatformSyncMinutes { get; set; } = 15;

    /// <summary><c>GitHub:MaxArchiveBytes</c>: the largest repository archive read (default 50 MB).</summary>
    public long MaxArchiveBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>
    /// <c>GitHub:MaxUnpackedBytes</c>: the most bytes read out of one archive once decompressed, every entry, header and
    /// padding counted (default 200 MB). A small archive can unpack to far more than <see cref="MaxArchiveBytes"/>.
    /// </summary>
    public long MaxUnpackedBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary><c>GitHub:MaxModules</c>: the most module folders one repository may hold (default 500).</summary>
    public int MaxModules { get; set; } = 500;

    /// <summary><c>GitHub:RequestTimeoutSeconds</c>: one request's time limit (default 30).</summary>
    public double RequestTimeoutSeconds { get; set; } = 30;

    /// <summary><c>GitHub:Attempts</c>: tries for server errors and timeouts (default 3).</summary>
    public int Attempts { get; set; } = 3;

    /// <summary><c>GitHub:RetryDelayMilliseconds</c>: the first pause between tries, doubled each time (default 500).</summary>
    public int RetryDelayMilliseconds { get; set; } = 500;

    public bool IsDevelopment { get; set; }

    public bool PlatformSyncConfigured => PlatformRepository.Length > 0 && PlatformToken.Length > 0;

    public Uri ApiBase => new(ApiBaseUrl.EndsWith('/') ? ApiBaseUrl : ApiBaseUrl + "/");

    public static void Bind(GitHubOptions options, IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection("GitHub");
        section.Bind(options);
        if (string.IsNullOrWhiteSpace(options.ApiBaseUrl)) options.ApiBaseUrl = "https://api.github.com/";
        options.PlatformRepository = options.PlatformRepository.Trim();
        options.IsDevelopment = environment.IsDevelopment();
    }

    public static string? Validate(GitHubOptions options)
    {
        if (!Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return $"GitHub:ApiBaseUrl: '{options.ApiBaseUrl}' is not an absolute http(s) URL.";
        if (uri.Scheme == "http" && !(options.IsDevelopment && uri.IsLoopback))
            return $"GitHub:ApiBaseUrl: '{options.ApiBaseUrl}' must use https (http is accepted only on loopback in Development).";
        if (options.PlatformRepository.Length > 0 && !RepositoryName.TryParse(options.PlatformRepository, out _))
            return $"GitHub:PlatformRepository: '{options.PlatformRepository}' must be owner/name.";
        if (options.PlatformRepository.Length > 0 && options.PlatformToken.Length == 0)
            return "GitHub:PlatformToken is required when GitHub:PlatformRepository is set.";
        if (options.PlatformSyncMinutes <= 0) return "GitHub:PlatformSyncMinutes must be greater than 0.";
        if (options.MaxArchiveBytes <= 0) return "GitHub:MaxArchiveBytes must be greater than 0.";
        if (options.MaxUnpackedBytes <= 0) return "GitHub:MaxUnpackedBytes must be greater than 0.";
        if (options.MaxModules <= 0) return "GitHub:MaxModules must be greater than 0.";
        if (options.RequestTimeoutSeconds <= 0) return "GitHub:RequestTimeoutSeconds must be greater than 0.";
        if (options.Attempts is < 1 or > 10) return "GitHub:Attempts must be between 1 and 10.";
        if (options.RetryDelayMilliseconds < 0) return "GitHub:RetryDelayMilliseconds must not be negative.";
        return null;
    }
}

/// <summary>A repository's <c>owner/name</c>.</summary>
public sealed record RepositoryName(string Owner, string Name)
{
    public string FullName => Owner + "/" + Name;

    /// <summary>The catalog source of modules published from this repository.</summary>
    public string CatalogSource => "github:" + FullName;

    public override string ToString() => FullName;

    public static bool TryParse(string? text, out RepositoryName name)
    {
        name = null!;
        var parts = text?.Trim().Split('/') ?? [];
        if (parts.Length != 2 || !parts.All(IsValidPart)) return false;
        name = new RepositoryName(parts[0], parts[1]);
        return true;
    }

    private static bool IsValidPart(string part) =>
        part.Length is > 0 and <= 100 && part != "." && part != ".."
        && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
