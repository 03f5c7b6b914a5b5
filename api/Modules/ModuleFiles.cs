using System.Security.Cryptography;
using System.Text;

namespace PartnerBot.Api.Modules;

/// <summary>
/// The files of one module folder, sub-folders included, keyed by their path relative to the folder with <c>/</c>
/// separators (<c>main.tf</c>, <c>templates/init.sh</c>). Only text files are kept; Terraform's own working files
/// (<c>.terraform/</c>, state files) and hidden folders are never part of a module.
/// </summary>
public static class ModuleFiles
{
    /// <summary>The most bytes of one module's files read from disk or an archive.</summary>
    public const long MaxModuleBytes = 64L * 1024 * 1024;

    /// <summary>True for a relative path that belongs in a module's file set.</summary>
    public static bool IsModulePath(string relativePath)
    {
        var parts = relativePath.Split('/');
        if (parts.Length == 0 || parts.Any(p => p.Length == 0 || p is "." or "..")) return false;
        if (parts[..^1].Any(p => p.StartsWith('.'))) return false;
        var name = parts[^1];
        return !name.EndsWith(".tfstate", StringComparison.Ordinal) && !name.EndsWith(".tfstate.backup", StringComparison.Ordinal)
            && !name.EndsWith(".tfplan", StringComparison.Ordinal) && name is not (".terraform.tfstate.lock.info");
    }

    /// <summary>True for a file Terraform reads as part of the root module (<c>*.tf</c> at the top of the folder).</summary>
    public static bool IsTopLevelTerraform(string relativePath) =>
        !relativePath.Contains('/') && relativePath.EndsWith(".tf", StringComparison.Ordinal);

    /// <summary>Every text file under <paramref name="directory"/>; files that are not UTF-8 text are left out.</summary>
    public static SortedDictionary<string, string> Read(string directory)
    {
        var root = Path.GetFullPath(directory);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (!IsModulePath(relative)) continue;
            var info = new FileInfo(path);
            if (info.LinkTarget is not null) continue;
            total += info.Length;
            if (total > MaxModuleBytes) throw new InvalidDataException($"{directory} holds more than {MaxModuleBytes / (1024 * 1024)} MB of files.");
            if (ModuleLoader.TryDecode(File.ReadAllBytes(path), relative, out var text, out _)) files[relative] = text;
        }
        return files;
    }

    /// <summary>
    /// A content address of the whole file set (names and contents, line endings normalised): two modules with the same
    /// files have the same hash.
    /// </summary>
    public static string Hash(IReadOnlyDictionary<string, string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            hash.AppendData([0]);
            hash.AppendData(Encoding.UTF8.GetBytes(content.ReplaceLineEndings("\n")));
            hash.AppendData([0]);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
