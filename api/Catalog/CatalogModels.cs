using PartnerBot.Api.Modules;

namespace PartnerBot.Api.Catalog;

/// <summary>Who is looking at the catalog. <paramref name="Email"/> matters for <c>shared_users</c>.</summary>
public sealed record CatalogViewer(string UserId, string? Email, bool IsAdmin);

public enum CatalogScope { All, Platform, Partner }

/// <summary>A module in the catalog with its parsed model and its source files (kept for the runner).</summary>
/// <param name="Owner"><see cref="ModuleCatalog.PlatformOwner"/> or the owning partner's id.</param>
/// <param name="Source">Where it came from, e.g. <c>folder</c> or <c>github:owner/repo</c>; a sync replaces only its own source.</param>
public sealed record CatalogModule(
    string Name,
    string Owner,
    TerraformModule Model,
    IReadOnlyDictionary<string, string> Files,
    string Source,
    DateTimeOffset UpdatedAt)
{
    public bool IsPlatform => Owner == ModuleCatalog.PlatformOwner;

    /// <summary>The commit the files come from (repository modules); null for folder modules.</summary>
    public string? Revision { get; init; }
}

/// <summary>A page of catalog search results; <paramref name="ContinuationToken"/> is null on the last page.</summary>
public sealed record CatalogPage(IReadOnlyList<CatalogModule> Items, string? ContinuationToken);

public sealed record CatalogQuery
{
    /// <summary>Matches the name, description or a service (case-insensitive substring).</summary>
    public string? Text { get; init; }
    /// <summary>Only modules offering this service (case-insensitive exact match).</summary>
    public string? Service { get; init; }
    public CatalogScope Scope { get; init; } = CatalogScope.All;
    public int PageSize { get; init; } = 20;
    public string? ContinuationToken { get; init; }
}
