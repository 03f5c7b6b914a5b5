using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Modules;
using PartnerBot.Api.Modules.Policy;

namespace PartnerBot.Api.Publishing;

public enum ModuleStatus { New, Changed, Unchanged, Gone, Invalid, Blocked }

/// <summary>One line of the publish list: a repository module beside its published version.</summary>
public sealed record PublishCandidate(string Name, ModuleStatus Status, string? Description, string? Problem, bool Published)
{
    /// <summary>Why the module policy blocks it (each with file and line); empty unless <see cref="ModuleStatus.Blocked"/>.</summary>
    public IReadOnlyList<PolicyViolation> Violations { get; init; } = [];

    /// <summary>New and changed valid modules can be published (or updated).</summary>
    public bool CanPublish => Status is ModuleStatus.New or ModuleStatus.Changed && Problem is null;
}

/// <summary>What a sync found: the repository's modules (null when none were read) and the published modules it removed.</summary>
public sealed record SyncResult(RepositoryName Repository, RepositorySnapshot? Snapshot, bool Unchanged, IReadOnlyList<string> Removed);

public sealed record PublishResult(IReadOnlyList<string> Published, IReadOnlyList<string> Updated, IReadOnlyList<string> Skipped);

/// <summary>The partner has not connected a token or chosen a repository yet.</summary>
public sealed class NotConnectedException(string message) : Exception(message);

/// <summary>
/// Keeps the catalog following GitHub repositories. A sync asks for the head commit conditionally on the last ETag (an
/// unchanged repository costs one 304), reads one tarball when it changed, and removes published modules whose folder is
/// gone. A failed sync changes nothing. Publishing copies chosen modules of the synced commit into the catalog.
/// </summary>
public sealed class ModulePublisher(
    GitHubApiClient github,
    GitHubConnections connections,
    IModuleCatalog catalog,
    IOptions<GitHubOptions> options,
    ModulePolicy policy,
    ILogger<ModulePublisher> logger)
{
    // The last snapshot read per repository: an unchanged repository (304) is listed without downloading it again.
    private readonly ConcurrentDictionary<string, RepositorySnapshot> _snapshots = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Syncs the partner's repository; <paramref name="needSnapshot"/> reads the modules even when nothing changed.</summary>
    public async Task<SyncResult> SyncPartnerAsync(string userId, bool needSnapshot, CancellationToken ct = default)
    {
        var connection = await connections.GetAsync(userId, ct);
        var token = connection is null ? null : connections.RevealToken(connection);
        if (connection is null || token is null)
            throw new NotConnectedException("Connect your GitHub account first: type **github** and enter a personal access token.");
        if (connection.ChosenRepository() is not { } repository)
            throw new NotConnectedException("Choose your repository first: type **github** and pick one.");
        try
        {
            var (snapshot, unchanged, etag) = await ReadAsync(token, repository, connection.HeadETag, connection.HeadSha, needSnapshot, ct);
            var removed = new List<string>();
            if (!unchanged && snapshot is not null)
            {
                var present = snapshot.Modules.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var published in await PublishedAsync(userId, repository, ct))
                {
                    if (present.Contains(published.Name)) continue;
                    await catalog.RemoveAsync(userId, published.Name, ct);
                    removed.Add(published.Name);
                    logger.LogInformation("Removed module {Module} of {Owner}: its folder is gone from {Repository}.", published.Name, userId, repository.FullName);
                }
            }
            await connections.SaveSyncAsync(userId, etag, snapshot?.Sha, null, ct);
            return new SyncResult(repository, snapshot, unchanged, removed);
        }
        catch (GitHubFailure e)
        {
            await connections.SaveProblemAsync(userId, e.Message, ct);
            throw;
        }
    }

    /// <summary>Syncs the platform repository into the platform catalog (source <c>github:owner/name</c>); null when not configured.</summary>
    public async Task<SyncResult?> SyncPlatformAsync(CancellationToken ct = default)
    {
        var settings = options.Value;
        if (!settings.PlatformSyncConfigured || !RepositoryName.TryParse(settings.PlatformRepository, out var repository)) return null;
        var state = await connections.GetAsync(GitHubConnections.PlatformPartition, ct);
        var etag = state?.Repository == repository.FullName ? state.HeadETag : null;
        var (snapshot, unchanged, newETag) = await ReadAsync(settings.PlatformToken, repository, etag, state?.HeadSha, needSnapshot: false, ct);
        var removed = new List<string>();
        if (!unchanged && snapshot is not null)
        {
            var before = (await PublishedAsync(ModuleCatalog.PlatformOwner, repository, ct)).Select(m => m.Name).ToList();
            var modules = snapshot.Modules.Where(m => m.Model is not null)
                .Select(m => (m.Model!, (IReadOnlyDictionary<string, string>)m.Files)).ToList();
            await catalog.ReplaceSourceAsync(ModuleCatalog.PlatformOwner, repository.CatalogSource, modules, ct, snapshot.Sha);
            removed.AddRange(before.Except(snapshot.Modules.Where(m => m.Model is not null).Select(m => m.Name), StringComparer.Ordinal));
            logger.LogInformation("Synced {Count} platform module(s) from {Repository} at {Sha}.", modules.Count, repository.FullName, snapshot.Sha);
        }
        if (state?.Repository != repository.FullName)
            await connections.SaveRepositoryAsync(GitHubConnections.PlatformPartition, repository, ct);
        await connections.SaveSyncAsync(GitHubConnections.PlatformPartition, newETag, snapshot?.Sha, null, ct);
        return new SyncResult(repository, snapshot, unchanged, removed);
    }

    /// <summary>The publish list: every module folder of the repository and every published module, each with its status.</summary>
    public async Task<IReadOnlyList<PublishCandidate>> CandidatesAsync(string userId, SyncResult sync, CancellationToken ct = default)
    {
        var published = (await PublishedAsync(userId, sync.Repository, ct)).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var list = new List<PublishCandidate>();
        foreach (var module in sync.Snapshot?.Modules ?? [])
        {
            published.TryGetValue(module.Name, out var current);
            var analysis = module.Problem is null ? policy.Analyze(module.Files) : null;
            if (analysis is { Allowed: false })
            {
                list.Add(new PublishCandidate(module.Name, ModuleStatus.Blocked, module.Model?.Metadata.Description,
                    $"Blocked by the module policy ({analysis.Violations.Count} problem{(analysis.Violations.Count == 1 ? "" : "s")}).", current is not null)
                    { Violations = analysis.Violations });
                continue;
            }
            var status = module.Problem is not null ? ModuleStatus.Invalid
                : current is null ? ModuleStatus.New
                : ModuleContent.Hash(current.Files) == module.ContentHash ? ModuleStatus.Unchanged
                : ModuleStatus.Changed;
            list.Add(new PublishCandidate(module.Name, status, module.Model?.Metadata.Description, module.Problem, current is not null));
        }
        foreach (var gone in sync.Removed)
            list.Add(new PublishCandidate(gone, ModuleStatus.Gone, null, "Its folder is gone from the repository, so it left the catalog.", false));
        return list.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Publishes (or updates) the named modules of the synced commit into the partner's catalog.</summary>
    public async Task<PublishResult> PublishAsync(string userId, SyncResult sync, IReadOnlyCollection<string> names, CancellationToken ct = default)
    {
        var snapshot = sync.Snapshot ?? throw new InvalidOperationException("The repository was not read.");
        var published = (await PublishedAsync(userId, sync.Repository, ct)).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var (added, updated, skipped) = (new List<string>(), new List<string>(), new List<string>());
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            var module = snapshot.Find(name);
            if (module?.Model is not { Valid: true } model || module.Problem is not null)
            {
                skipped.Add(name);
                continue;
            }
            if (policy.Analyze(module.Files) is { Allowed: false } blocked)
            {
                skipped.Add(name);
                logger.LogInformation("Module {Module} of {Owner} was not published: the module policy blocks it: {Violations}", name, userId,
                    blocked.Describe(20));
                continue;
            }
            var existing = await catalog.GetAsync(userId, name, ct);
            if (existing is not null && existing.Source != sync.Repository.CatalogSource && !published.Contains(name))
            {
                // Never overwrite a module of the same name that came from elsewhere.
                skipped.Add(name);
                continue;
            }
            await catalog.SaveAsync(userId, model, module.Files, sync.Repository.CatalogSource, ct, snapshot.Sha);
            (existing is null ? added : updated).Add(name);
            logger.LogInformation("Module {Module} of {Owner} {Action} from {Repository} at {Sha}.", name, userId,
                existing is null ? "published" : "updated", sync.Repository.FullName, snapshot.Sha);
        }
        return new PublishResult(added, updated, skipped);
    }

    /// <summary>Removes every module published from <paramref name="repository"/> (the partner chose another one).</summary>
    public async Task<int> RemoveRepositoryModulesAsync(string userId, RepositoryName repository, CancellationToken ct = default) =>
        (await PublishedAsync(userId, repository, ct)) is var modules && modules.Count > 0
            ? await RemoveAllAsync(userId, repository, modules.Count, ct)
            : 0;

    private async Task<int> RemoveAllAsync(string userId, RepositoryName repository, int count, CancellationToken ct)
    {
        await catalog.ReplaceSourceAsync(userId, repository.CatalogSource, [], ct);
        return count;
    }

    private async Task<(RepositorySnapshot? Snapshot, bool Unchanged, string? ETag)> ReadAsync(string token, RepositoryName repository,
        string? etag, string? lastSha, bool needSnapshot, CancellationToken ct)
    {
        var head = await github.GetHeadAsync(token, repository, etag, ct);
        if (head.NotModified)
        {
            if (lastSha is not null && _snapshots.TryGetValue(repository.FullName, out var cached) && cached.Sha == lastSha)
                return (cached, true, etag);
            if (!needSnapshot) return (null, true, etag);
            // Unchanged, but this instance has not read it yet (e.g. after a restart): read the commit seen last time.
            if (lastSha is not null)
            {
                var again = RepositoryArchive.Read(repository, lastSha, await github.DownloadTarballAsync(token, repository, lastSha, ct),
                    options.Value.MaxModules, options.Value.MaxUnpackedBytes);
                _snapshots[repository.FullName] = again;
                return (again, true, etag);
            }
            head = await github.GetHeadAsync(token, repository, null, ct);
        }
        var archive = await github.DownloadTarballAsync(token, repository, head.Sha!, ct);
        var snapshot = RepositoryArchive.Read(repository, head.Sha!, archive, options.Value.MaxModules, options.Value.MaxUnpackedBytes);
        _snapshots[repository.FullName] = snapshot;
        return (snapshot, false, head.ETag);
    }

    private async Task<List<CatalogModule>> PublishedAsync(string owner, RepositoryName repository, CancellationToken ct)
    {
        var modules = new List<CatalogModule>();
        var viewer = new CatalogViewer(owner, null, IsAdmin: false);
        var scope = owner == ModuleCatalog.PlatformOwner ? CatalogScope.Platform : CatalogScope.Partner;
        string? continuation = null;
        do
        {
            var page = await catalog.SearchAsync(owner == ModuleCatalog.PlatformOwner ? viewer with { IsAdmin = true } : viewer,
                new CatalogQuery { Scope = scope, PageSize = 200, ContinuationToken = continuation }, ct);
            modules.AddRange(page.Items.Where(m => m.Owner == owner && m.Source == repository.CatalogSource));
            continuation = page.ContinuationToken;
        } while (continuation is not null);
        return modules;
    }
}
