using System.Text.Json.Nodes;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Http;
using PartnerBot.Api.Modules;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Deployments.Versions;

/// <summary>
/// The exact module version a deployment runs, kept with the deployment.
/// </summary>
/// <param name="Revision">The commit sha for a repository module, the content hash for a folder module.</param>
/// <param name="ContentHash">Address of the files in <see cref="ModuleVersions"/> (SHA-256 of names and contents).</param>
/// <param name="Source">Where the catalog had it from, e.g. <c>folder</c> or <c>github:owner/repo</c>.</param>
public sealed record ModuleVersion(string Revision, string ContentHash, string Source, DateTimeOffset PinnedAt)
{
    /// <summary>How the version is shown: a short commit or content hash.</summary>
    public string Short => Revision.Length > 12 ? Revision[..12] : Revision;
}

/// <summary>A stored module version, read back: its files and the model parsed from them.</summary>
public sealed record PinnedModule(ModuleVersion Version, TerraformModule Model, IReadOnlyDictionary<string, string> Files);

/// <summary>
/// Module files by content (container <c>moduleversions</c>, partition and id = the content hash): every deployment of
/// the same files shares one document, and it stays readable after the module left the catalog.
/// </summary>
public sealed class ModuleVersions(IDocumentStore store)
{
    public const string Container = "moduleversions";
    private const string DocumentId = "files";

    /// <summary>Stores the catalog module's files (once per content) and returns the version to keep with a deployment.</summary>
    public async Task<ModuleVersion> PinAsync(CatalogModule module, DateTimeOffset at, CancellationToken ct)
    {
        var hash = ModuleFiles.Hash(module.Files);
        if (await store.ReadAsync(Container, hash, DocumentId, ct) is null)
        {
            var files = new JsonObject();
            foreach (var (name, content) in module.Files.OrderBy(f => f.Key, StringComparer.Ordinal)) files[name] = content;
            try
            {
                await store.CreateAsync(Container, hash, DocumentId,
                    new JsonObject { ["type"] = "moduleversion", ["contentHash"] = hash, ["files"] = files }, ct: ct);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
            {
                // Stored meanwhile by another deployment of the same files.
            }
        }
        return new ModuleVersion(module.Revision ?? hash, hash, module.Source, at);
    }

    /// <summary>The files and model of <paramref name="version"/>; null when they were never stored.</summary>
    public async Task<PinnedModule?> LoadAsync(string moduleName, ModuleVersion version, CancellationToken ct)
    {
        if (!StoreJson.IsValidId(version.ContentHash)) return null;
        var document = await store.ReadAsync(Container, version.ContentHash, DocumentId, ct);
        if (document?.Body["files"] is not JsonObject stored) return null;
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, content) in stored) files[name] = content?.GetValue<string>() ?? "";
        var loaded = ModuleLoader.LoadFiles(moduleName, files);
        return loaded.Module is { } model ? new PinnedModule(version, model, files) : null;
    }
}

/// <summary>What moving a deployment from its version to the catalog's would change.</summary>
public sealed record ModuleUpgrade(
    string FromRevision,
    string ToRevision,
    IReadOnlyList<string> AddedFiles,
    IReadOnlyList<string> ChangedFiles,
    IReadOnlyList<string> RemovedFiles,
    IReadOnlyList<string> AddedInputs,
    IReadOnlyList<string> RemovedInputs)
{
    public static ModuleUpgrade? Between(PinnedModule pinned, CatalogModule latest)
    {
        if (ModuleFiles.Hash(latest.Files) == pinned.Version.ContentHash) return null;
        var before = pinned.Files;
        var after = latest.Files;
        var inputsBefore = DeploymentInputs.InputVariables(pinned.Model).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var inputsAfter = DeploymentInputs.InputVariables(latest.Model).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        return new ModuleUpgrade(
            pinned.Version.Short,
            latest.Revision is { } revision ? (revision.Length > 12 ? revision[..12] : revision) : ModuleFiles.Hash(latest.Files)[..12],
            after.Keys.Where(k => !before.ContainsKey(k)).Order(StringComparer.Ordinal).ToList(),
            after.Keys.Where(k => before.TryGetValue(k, out var old) && old.ReplaceLineEndings("\n") != after[k].ReplaceLineEndings("\n"))
                .Order(StringComparer.Ordinal).ToList(),
            before.Keys.Where(k => !after.ContainsKey(k)).Order(StringComparer.Ordinal).ToList(),
            inputsAfter.Except(inputsBefore).Order(StringComparer.Ordinal).ToList(),
            inputsBefore.Except(inputsAfter).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>One line for a card or an API caller, e.g. <c>abc123 → def456: 1 file changed, new input size</c>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (ChangedFiles.Count > 0) parts.Add($"changed {string.Join(", ", ChangedFiles)}");
        if (AddedFiles.Count > 0) parts.Add($"added {string.Join(", ", AddedFiles)}");
        if (RemovedFiles.Count > 0) parts.Add($"removed {string.Join(", ", RemovedFiles)}");
        if (AddedInputs.Count > 0) parts.Add($"new inputs {string.Join(", ", AddedInputs)}");
        if (RemovedInputs.Count > 0) parts.Add($"inputs no longer used {string.Join(", ", RemovedInputs)}");
        return $"{FromRevision} → {ToRevision}: {(parts.Count == 0 ? "no file changes" : string.Join("; ", parts))}";
    }
}
