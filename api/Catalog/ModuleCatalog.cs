using System.Text;
using Microsoft.Extensions.Logging;
using PartnerBot.Api.Http;
using PartnerBot.Api.Modules;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Catalog;

/// <summary>The module catalog: platform modules and each partner's own modules, filtered by who is looking.</summary>
public interface IModuleCatalog
{
    /// <summary>The modules <paramref name="viewer"/> may see, matching <paramref name="query"/>, by name.</summary>
    Task<CatalogPage> SearchAsync(CatalogViewer viewer, CatalogQuery query, CancellationToken ct = default);

    /// <summary>
    /// The module called <paramref name="name"/> as <paramref name="viewer"/> sees it: the viewer's own module of that
    /// name first, then the platform's (or exactly <paramref name="owner"/>'s when given); null when not visible.
    /// </summary>
    Task<CatalogModule?> FindAsync(CatalogViewer viewer, string name, string? owner = null, CancellationToken ct = default);

    /// <summary>Reads a module without a visibility check (runners, for an already accepted deployment).</summary>
    Task<CatalogModule?> GetAsync(string owner, string name, CancellationToken ct = default);

    /// <summary>Adds or replaces a module of <paramref name="owner"/>.</summary>
    /// <param name="revision">The commit the files come from, when they come from a repository.</param>
    Task<CatalogModule> SaveAsync(string owner, TerraformModule model, IReadOnlyDictionary<string, string> files, string source,
        CancellationToken ct = default, string? revision = null);

    Task<bool> RemoveAsync(string owner, string name, CancellationToken ct = default);

    /// <summary>Makes the modules of <paramref name="owner"/> from <paramref name="source"/> exactly <paramref name="modules"/>.</summary>
    Task<int> ReplaceSourceAsync(string owner, string source,
        IReadOnlyList<(TerraformModule Model, IReadOnlyDictionary<string, string> Files)> modules, CancellationToken ct = default,
        string? revision = null);
}

/// <summary>Catalog entries in container <c>catalog</c>, partition = owner (<c>platform</c> or a partner id), id = module name.</summary>
/// <remarks>
/// Each partition also holds a version stamp (<see cref="VersionId"/>) that every change of the partition raises after
/// writing. A search reads the stamp (one point read) and reuses the modules it parsed for that stamp, so a turn does
/// not read and parse the whole catalog. A stamp read is trusted for <see cref="StampFreshFor"/>: a change made on this
/// instance shows at once, another instance's publish or sync on the first search after that second.
/// </remarks>
public sealed class ModuleCatalog(IDocumentStore store, TimeProvider clock, ILogger<ModuleCatalog> logger) : IModuleCatalog
{
    public const string Container = "catalog";
    public const string PlatformOwner = "platform";
    public const string VersionId = "catalog-version";
    private const int MaxCachedPartitions = 1024;

    /// <summary>How long a partition's stamp, once read, is taken as current (a search on a busy chat reads none).</summary>
    public static readonly TimeSpan StampFreshFor = TimeSpan.FromSeconds(1);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CachedPartition> _partitions = new(StringComparer.Ordinal);

    // Raised before and after every change this instance makes, so a search that overlapped one does not keep what it read.
    private long _localChanges;

    private sealed record CachedPartition(long Version, IReadOnlyList<CatalogModule> Modules, DateTimeOffset CheckedAt);

    public async Task<CatalogPage> SearchAsync(CatalogViewer viewer, CatalogQuery query, CancellationToken ct = default)
    {
        var candidates = new List<CatalogModule>();
        if (query.Scope != CatalogScope.Partner) candidates.AddRange(await LoadPartitionAsync(PlatformOwner, ct));
        if (query.Scope != CatalogScope.Platform)
        {
            var partnerModules = viewer.IsAdmin
                ? (await LoadPartitionAsync(null, ct)).Where(m => !m.IsPlatform)
                : await LoadPartitionAsync(viewer.UserId, ct);
            candidates.AddRange(partnerModules);
        }

        var after = DecodeToken(query.ContinuationToken);
        var matching = candidates
            .Where(m => m.Model.Valid && CatalogVisibility.CanSee(viewer, m) && Matches(m, query))
            .OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase).ThenBy(m => m.Owner, StringComparer.Ordinal)
            .Where(m => after is null || Compare(m, after.Value) > 0)
            .ToList();
        var pageSize = Math.Clamp(query.PageSize, 1, 200);
        var page = matching.Take(pageSize).ToList();
        var token = matching.Count > pageSize ? EncodeToken(page[^1]) : null;
        return new CatalogPage(page, token);
    }

    public async Task<CatalogModule?> FindAsync(CatalogViewer viewer, string name, string? owner = null, CancellationToken ct = default)
    {
        var owners = owner is not null ? [owner] : new[] { viewer.UserId, PlatformOwner };
        foreach (var candidateOwner in owners)
        {
            var module = await GetAsync(candidateOwner, name, ct);
            if (module is not null && module.Model.Valid && CatalogVisibility.CanSee(viewer, module)) return module;
        }
        return null;
    }

    public async Task<CatalogModule?> GetAsync(string owner, string name, CancellationToken ct = default)
    {
        if (!StoreJson.IsValidId(owner) || !StoreJson.IsValidId(name)) return null;
        var document = await store.ReadAsync(Container, owner, name, ct);
        return document is null ? null : ToModule(document);
    }

    public async Task<CatalogModule> SaveAsync(string owner, TerraformModule model, IReadOnlyDictionary<string, string> files,
        string source, CancellationToken ct = default, string? revision = null)
    {
        var entry = new CatalogEntry("module", model.Name, model.Name.ToLowerInvariant(), owner, source, clock.GetUtcNow(), model,
            new Dictionary<string, string>(files, StringComparer.Ordinal), revision);
        var stored = await store.UpsertAsync(Container, owner, model.Name, StoreJson.ToBody(entry), ct: ct);
        await RaiseVersionAsync(owner, ct);
        return ToModule(stored);
    }

    public async Task<bool> RemoveAsync(string owner, string name, CancellationToken ct = default)
    {
        try
        {
            await store.DeleteAsync(Container, owner, name, ct: ct);
            await RaiseVersionAsync(owner, ct);
            return true;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return false;
        }
    }

    public async Task<int> ReplaceSourceAsync(string owner, string source,
        IReadOnlyList<(TerraformModule Model, IReadOnlyDictionary<string, string> Files)> modules, CancellationToken ct = default,
        string? revision = null)
    {
        var keep = modules.Select(m => m.Model.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in (await LoadPartitionAsync(owner, ct)).Where(m => m.Source == source && !keep.Contains(m.Name)))
        {
            await RemoveAsync(owner, stale.Name, ct);
            logger.LogInformation("Removed module {Module} of {Owner}: no longer in {Source}.", stale.Name, owner, source);
        }
        foreach (var (model, files) in modules) await SaveAsync(owner, model, files, source, ct, revision);
        return modules.Count;
    }

    private static bool Matches(CatalogModule module, CatalogQuery query)
    {
        var metadata = module.Model.Metadata;
        if (query.Service is { Length: > 0 } service
            && !metadata.Services.Contains(service, StringComparer.OrdinalIgnoreCase)) return false;
        if (query.Text is not { Length: > 0 } text) return true;
        return module.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
            || (metadata.Description?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
            || metadata.Services.Any(s => s.Contains(text, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The modules of one partition (every partition when <paramref name="owner"/> is null: admin views, not cached).</summary>
    private async Task<IReadOnlyList<CatalogModule>> LoadPartitionAsync(string? owner, CancellationToken ct)
    {
        if (owner is null || !StoreJson.IsValidId(owner)) return owner is null ? await ReadPartitionAsync(null, ct) : [];
        var now = clock.GetUtcNow();
        _partitions.TryGetValue(owner, out var cached);
        if (cached is not null && now >= cached.CheckedAt && now - cached.CheckedAt < StampFreshFor) return cached.Modules;
        var changes = Volatile.Read(ref _localChanges);
        // The stamp is read before the modules: a change landing in between raises it again, so the next search reloads.
        var version = (await store.ReadAsync(Container, owner, VersionId, ct))?.Body["version"]?.GetValue<long>() ?? 0;
        var modules = cached is not null && cached.Version == version ? cached.Modules : await ReadPartitionAsync(owner, ct);
        // What was read while this instance changed the catalog may predate the change: it is used once, not kept.
        if (Volatile.Read(ref _localChanges) != changes) return modules;
        if (_partitions.Count >= MaxCachedPartitions) _partitions.Clear();
        _partitions[owner] = new CachedPartition(version, modules, now);
        return modules;
    }

    private async Task RaiseVersionAsync(string owner, CancellationToken ct)
    {
        Interlocked.Increment(ref _localChanges);
        _partitions.TryRemove(owner, out _);
        try
        {
            await RaiseStoredVersionAsync(owner, ct);
        }
        finally
        {
            Interlocked.Increment(ref _localChanges);
            _partitions.TryRemove(owner, out _);
        }
    }

    private async Task RaiseStoredVersionAsync(string owner, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await store.PatchAsync(Container, owner, VersionId, [PatchOperation.Increment("/version", 1L)], ct: ct);
                return;
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound && attempt < 3)
            {
                try
                {
                    await store.CreateAsync(Container, owner, VersionId, new System.Text.Json.Nodes.JsonObject { ["type"] = "version", ["version"] = 1L }, ct: ct);
                    return;
                }
                catch (StorageException conflict) when (conflict.Kind == StorageErrorKind.Conflict)
                {
                    // Created by another writer at the same moment: raise that one.
                }
            }
        }
    }

    private async Task<IReadOnlyList<CatalogModule>> ReadPartitionAsync(string? owner, CancellationToken ct)
    {
        var modules = new List<CatalogModule>();
        string? continuation = null;
        do
        {
            var page = await store.QueryAsync(Container, owner, new DocumentQuery
            {
                Filters = [FieldFilter.Eq("/type", "module")],
                OrderBy = "/nameLower",
                PageSize = 200,
                ContinuationToken = continuation,
            }, ct);
            modules.AddRange(page.Items.Select(ToModule));
            continuation = page.ContinuationToken;
        } while (continuation is not null);
        return modules;
    }

    private static CatalogModule ToModule(StoredDocument document)
    {
        var entry = StoreJson.FromBody<CatalogEntry>(document.Body);
        return new CatalogModule(entry.Name, entry.Owner, entry.Model, entry.Files, entry.Source, entry.UpdatedAt)
        {
            Revision = entry.Revision,
        };
    }

    private static int Compare(CatalogModule module, (string Name, string Owner) key)
    {
        var byName = StringComparer.OrdinalIgnoreCase.Compare(module.Name, key.Name);
        return byName != 0 ? byName : StringComparer.Ordinal.Compare(module.Owner, key.Owner);
    }

    private static string EncodeToken(CatalogModule last) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(last.Name + "\n" + last.Owner));

    private static (string Name, string Owner)? DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('\n', 2);
            return parts.Length == 2 ? (parts[0], parts[1]) : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new ArgumentException("The continuation token is not valid.", nameof(token));
        }
    }

    private sealed record CatalogEntry(
        string Type,
        string Name,
        string NameLower,
        string Owner,
        string Source,
        DateTimeOffset UpdatedAt,
        TerraformModule Model,
        Dictionary<string, string> Files,
        string? Revision = null);
}
