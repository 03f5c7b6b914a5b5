using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using PartnerBot.Api.Modules;

namespace PartnerBot.Api.Publishing;

/// <summary>One candidate module folder of a repository: its files and what the parser made of its <c>.tf</c> files.</summary>
/// <param name="Path">The folder inside the repository, e.g. <c>network</c> or <c>modules/network</c>.</param>
/// <param name="Error">The first syntax error when the files do not parse.</param>
public sealed record RepositoryModule(string Name, string Path, TerraformModule? Model, string? Error, IReadOnlyDictionary<string, string> Files)
{
    public bool Valid => Model is { Valid: true };

    public string ContentHash => ModuleContent.Hash(Files);

    /// <summary>Why the module cannot be published, or null when it can.</summary>
    public string? Problem => Error ?? (Model is { Valid: false } model ? string.Join(" ", model.Problems.Take(3)) : null);
}

/// <summary>The modules of one commit of a repository.</summary>
public sealed record RepositorySnapshot(RepositoryName Repository, string Sha, IReadOnlyList<RepositoryModule> Modules)
{
    public RepositoryModule? Find(string name) => Modules.FirstOrDefault(m => m.Name == name && m.Valid) ?? Modules.FirstOrDefault(m => m.Name == name);
}

/// <summary>A stable fingerprint of a module's files, to tell "changed" from "unchanged".</summary>
public static class ModuleContent
{
    public static string Hash(IReadOnlyDictionary<string, string> files) => ModuleFiles.Hash(files);
}

/// <summary>
/// Reads a repository tarball (as GitHub serves it: one top folder <c>owner-repo-sha/</c>) in memory. Candidate modules
/// are the folders at the repository root and directly under <c>modules/</c> holding <c>.tf</c> files; every text file
/// of such a folder is kept, sub-folders included. Limits keep a hostile archive from costing more than the configured size and module count.
/// </summary>
public static class RepositoryArchive
{
    /// <summary>The most bytes of <c>.tf</c> text read from one archive (the compressed size is limited separately).</summary>
    public const long MaxTerraformBytes = 64L * 1024 * 1024;

    /// <summary>The default of <see cref="GitHubOptions.MaxUnpackedBytes"/>.</summary>
    public const long DefaultMaxUnpackedBytes = 200L * 1024 * 1024;

    /// <param name="maxUnpackedBytes">The most bytes decompressed from <paramref name="tarGz"/> (all entries, headers and padding).</param>
    public static RepositorySnapshot Read(RepositoryName repository, string sha, byte[] tarGz, int maxModules, long maxUnpackedBytes = DefaultMaxUnpackedBytes)
    {
        using var gzip = new GZipStream(new MemoryStream(tarGz, writable: false), CompressionMode.Decompress);
        return ReadTar(repository, sha, gzip, maxModules, maxUnpackedBytes);
    }

    /// <summary>
    /// Reads the decompressed tar stream <paramref name="tar"/>, pulling no more than about <paramref name="maxUnpackedBytes"/>
    /// out of it: past the limit the read stops and fails as <see cref="GitHubFailureKind.TooLarge"/>.
    /// </summary>
    internal static RepositorySnapshot ReadTar(RepositoryName repository, string sha, Stream tar, int maxModules, long maxUnpackedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxUnpackedBytes);
        var folders = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        long terraformBytes = 0;
        try
        {
            using var limited = new UnpackLimitStream(tar, maxUnpackedBytes, () => new GitHubFailure(GitHubFailureKind.TooLarge,
                $"{repository.FullName} unpacks to more than {Size(maxUnpackedBytes)}, the most a sync reads. Keep modules in a smaller " +
                "repository (large binaries, data files and generated output belong elsewhere)."));
            using var reader = new TarReader(limited);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                var folder = CandidateFolder(entry.Name, out var fileName);
                if (folder is null || !ModuleFiles.IsModulePath(fileName) || entry.DataStream is null) continue;
                terraformBytes += entry.Length;
                if (terraformBytes > MaxTerraformBytes || entry.Length > ModuleLoader.MaxFileBytes)
                    throw new GitHubFailure(GitHubFailureKind.TooLarge,
                        $"{repository.FullName} holds more than {MaxTerraformBytes / (1024 * 1024)} MB of module files, more than a sync reads.");
                using var content = new MemoryStream();
                entry.DataStream.CopyTo(content);
                var terraform = ModuleFiles.IsTopLevelTerraform(fileName);
                if (!ModuleLoader.TryDecode(content.ToArray(), fileName, out var text, out var decodeError))
                {
                    if (!terraform) continue; // a binary file next to the module: not part of what is deployed
                    text = "\u0000" + decodeError; // parsed below into a clear syntax error for this module only
                }
                if (!folders.TryGetValue(folder, out var files))
                {
                    if (folders.Count >= maxModules * 4)
                        throw new GitHubFailure(GitHubFailureKind.TooManyModules,
                            $"{repository.FullName} has more than {maxModules} module folders, the most one repository may publish. Split it into several repositories.");
                    folders[folder] = files = new SortedDictionary<string, string>(StringComparer.Ordinal);
                }
                files[fileName] = text;
            }
            // Only folders with Terraform files at their top are modules; the rest (docs, scripts) are not.
            foreach (var folder in folders.Where(f => !f.Value.Keys.Any(ModuleFiles.IsTopLevelTerraform)).Select(f => f.Key).ToList())
                folders.Remove(folder);
            if (folders.Count > maxModules)
                throw new GitHubFailure(GitHubFailureKind.TooManyModules,
                    $"{repository.FullName} has more than {maxModules} module folders, the most one repository may publish. Split it into several repositories.");
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new GitHubFailure(GitHubFailureKind.BadArchive, $"The archive GitHub sent for {repository.FullName} could not be read ({e.Message}).");
        }

        var modules = new List<RepositoryModule>();
        foreach (var (path, files) in folders)
        {
            var name = path[(path.LastIndexOf('/') + 1)..];
            var broken = files.FirstOrDefault(f => f.Value.StartsWith('\u0000'));
            if (broken.Key is not null)
            {
                modules.Add(new RepositoryModule(name, path, null, broken.Value[1..], files));
                continue;
            }
            var loaded = ModuleLoader.LoadFiles(name, files);
            modules.Add(new RepositoryModule(name, path, loaded.Module, loaded.Error, files));
        }
        // A root folder and a modules/ folder of the same name: the modules/ one is the module (the platform layout).
        var unique = modules.GroupBy(m => m.Name, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(m => m.Valid).ThenByDescending(m => m.Path.StartsWith("modules/", StringComparison.Ordinal)).First())
            .OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return new RepositorySnapshot(repository, sha, unique);
    }

    private static string Size(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024 * 1024)} MB"
        : $"{Math.Max(1, bytes / 1024)} KB";

    /// <summary>
    /// The candidate folder of an archive path and the file's path inside it (<c>top/x/f.tf</c> → <c>x</c>, <c>f.tf</c>;
    /// <c>top/modules/x/templates/a.sh</c> → <c>modules/x</c>, <c>templates/a.sh</c>), else null.
    /// </summary>
    internal static string? CandidateFolder(string entryName, out string fileName)
    {
        fileName = "";
        var parts = entryName.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p is "." or "..")) return null;
        // parts[0] is the archive's top folder.
        if (parts.Length >= 4 && parts[1] == "modules" && !parts[2].StartsWith('.'))
        {
            fileName = string.Join('/', parts[3..]);
            return "modules/" + parts[2];
        }
        if (parts.Length >= 3 && !parts[1].StartsWith('.'))
        {
            fileName = string.Join('/', parts[2..]);
            return parts[1];
        }
        return null;
    }
}

/// <summary>
/// A read-only view of a decompressing stream that counts every byte pulled out of it and fails once more than the
/// limit has been read, so a small archive that unpacks to gigabytes (zeros, or entries nobody looks at) is abandoned
/// after the limit instead of being inflated to the end. Skipped tar entries are read through it too.
/// </summary>
internal sealed class UnpackLimitStream(Stream inner, long limit, Func<Exception> tooLarge) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // Never ask for more than one byte past the limit: reaching it is then detected without inflating further.
        var allowed = (int)Math.Min(buffer.Length, Math.Max(0, limit - BytesRead) + 1);
        var read = inner.Read(buffer[..allowed]);
        BytesRead += read;
        if (BytesRead > limit) throw tooLarge();
        return read;
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
