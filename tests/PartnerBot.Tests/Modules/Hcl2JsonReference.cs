using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PartnerBot.Tests.Modules;

/// <summary>
/// HashiCorp's HCL parser, run through <c>@cdktf/hcl2json</c> (pinned in tests/tools/hcl2json/package-lock.json).
/// Installs the package with <c>npm ci</c> the first time it is needed.
/// </summary>
public sealed class Hcl2JsonReference
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private static readonly Lazy<Task<IReadOnlyDictionary<string, (JsonObject? Json, string? Error)>>> Corpus =
        new(() => ConvertAsync(ModuleTestPaths.AllCorpusFiles));

    /// <summary>hcl2json's output for every corpus file, computed once per test run.</summary>
    public static Task<IReadOnlyDictionary<string, (JsonObject? Json, string? Error)>> CorpusAsync() => Corpus.Value;

    public static string ToolDirectory => Path.Combine(ModuleTestPaths.RepositoryRoot, "tests", "tools", "hcl2json");

    /// <summary>Converts each file; the value is the hcl2json JSON, or null with the error text.</summary>
    public static async Task<IReadOnlyDictionary<string, (JsonObject? Json, string? Error)>> ConvertAsync(IReadOnlyList<string> files)
    {
        await EnsureInstalledAsync();
        var results = new Dictionary<string, (JsonObject?, string?)>(StringComparer.Ordinal);
        // Batches keep the command line short.
        foreach (var batch in files.Chunk(64))
        {
            var output = await RunAsync("node", ["hcl2json.js", .. batch]);
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var node = JsonNode.Parse(line)!.AsObject();
                var file = (string)node["file"]!;
                results[file] = (node["json"] as JsonObject, (string?)node["error"]);
            }
        }
        return results;
    }

    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(ToolDirectory, "node_modules", "@cdktf", "hcl2json"))) return;
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund"]);
        }
        finally
        {
            InstallLock.Release();
        }
    }

    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = ToolDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{fileName} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
