using System.Text;
using System.Text.Json.Nodes;
using PartnerBot.Api.Modules.Hcl;

namespace PartnerBot.Api.Modules;

/// <summary>The outcome of loading one module folder: the model, or the first syntax error (<c>file:line:column: message</c>).</summary>
public sealed record ModuleLoadResult(string Name, TerraformModule? Module, string? Error)
{
    public bool Parsed => Module is not null;
}

/// <summary>
/// Loads a Terraform module from a folder (its <c>*.tf</c> files, not sub-folders) or from in-memory files
/// (e.g. a repository tarball). A module is listable exactly when its files parse and it declares
/// <c>public_access</c> and every metadata value can be read; anything else worth knowing goes to <see cref="TerraformModule.Problems"/>.
/// </summary>
public static class ModuleLoader
{
    /// <summary>Files larger than this are rejected rather than parsed (a module's variables file is a few kB).</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="relativeTo">Where a relative <paramref name="directory"/> starts (default: the current directory).</param>
    public static ModuleLoadResult LoadDirectory(string directory, string? relativeTo = null)
    {
        var fullPath = relativeTo is null ? Path.GetFullPath(directory) : Path.GetFullPath(directory, relativeTo);
        var name = Path.GetFileName(fullPath.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        if (!Directory.Exists(fullPath)) return new ModuleLoadResult(name, null, $"{directory}: no such directory");

        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(fullPath, "*.tf", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal))
        {
            var fileName = Path.GetFileName(path);
            var length = new FileInfo(path).Length;
            if (length > MaxFileBytes)
                return new ModuleLoadResult(name, null, $"{fileName}:1:1: file is {length} bytes; the limit is {MaxFileBytes} bytes.");
            var bytes = File.ReadAllBytes(path);
            if (!TryDecode(bytes, fileName, out var text, out var error)) return new ModuleLoadResult(name, null, error);
            files[fileName] = text;
        }
        return LoadFiles(name, files);
    }

    /// <summary>Loads a module from file name → content; only top-level names ending in <c>.tf</c> are read.</summary>
    public static ModuleLoadResult LoadFiles(string name, IReadOnlyDictionary<string, string> files)
    {
        var parsed = new List<HclFile>();
        foreach (var (fileName, content) in files.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!ModuleFiles.IsTopLevelTerraform(fileName)) continue;
            try
            {
                parsed.Add(HclParser.ParseFile(content, fileName));
            }
            catch (HclSyntaxException e)
            {
                return new ModuleLoadResult(name, null, e.Message);
            }
        }
        return new ModuleLoadResult(name, Build(name, parsed), null);
    }

    /// <summary>Decodes UTF-8, reporting the line and column of the first invalid byte.</summary>
    public static bool TryDecode(byte[] bytes, string fileName, out string text, out string? error)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            error = null;
            return true;
        }
        catch (DecoderFallbackException)
        {
            var offset = FirstInvalidUtf8Offset(bytes);
            var prefix = Encoding.UTF8.GetString(bytes, 0, offset);
            var (line, column) = HclSyntaxException.LineColumn(prefix, prefix.Length);
            text = "";
            error = $"{fileName}:{line}:{column}: invalid UTF-8 encoding (byte 0x{bytes[offset]:X2}); Terraform files must be UTF-8 text.";
            return false;
        }
    }

    private static int FirstInvalidUtf8Offset(byte[] bytes)
    {
        var span = bytes.AsSpan();
        var offset = 0;
        while (offset < span.Length)
        {
            if (System.Buffers.OperationStatus.Done != System.Text.Rune.DecodeFromUtf8(span[offset..], out _, out var consumed)) return offset;
            offset += consumed;
        }
        return Math.Max(0, span.Length - 1);
    }

    private static TerraformModule Build(string name, IReadOnlyList<HclFile> files)
    {
        var problems = new List<string>();
        var variables = new List<ModuleVariable>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var block in file.Body.Blocks)
            {
                if (block.Type != "variable") continue;
                var variable = ModuleVariableReader.Read(file, block, problems);
                if (variable is null) continue;
                if (!seen.Add(variable.Name))
                {
                    var (line, column) = HclSyntaxException.LineColumn(file.Source, block.Start);
                    problems.Add($"{file.FileName}:{line}:{column}: duplicate variable \"{variable.Name}\".");
                    continue;
                }
                variables.Add(variable);
            }
        }

        // What makes a module unusable comes first: the publish list shows only the first few problems.
        var (metadata, metadataProblems) = ModuleMetadataReader.Read(variables);
        problems.InsertRange(0, metadataProblems);
        if (files.Count == 0) problems.Insert(0, "The folder has no .tf files.");
        var declaresPublicAccess = seen.Contains("public_access");
        if (files.Count > 0 && !declaresPublicAccess)
            problems.Insert(0, "Not a platform module: it declares no \"public_access\" variable (a helper sub-module).");

        var valid = files.Count > 0 && declaresPublicAccess && metadataProblems.Count == 0;
        return new TerraformModule(name, valid, problems, metadata, variables);
    }
}
