using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace PartnerBot.Bench.Modules;

/// <summary>The benchmark corpus (the shared real-module corpus when present, else the tests' own) and the hcl2json baseline.</summary>
internal static class ModuleCorpus
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static IReadOnlyList<string> Files { get; } = FindFiles();

    public static long Bytes { get; } = Files.Sum(f => (long)Encoding.UTF8.GetByteCount(File.ReadAllText(f)));

    /// <summary>hcl2json's throughput, measured once per run by its own timer (excluding Node and WebAssembly start-up).</summary>
    public static Lazy<double?> Hcl2JsonMegabytesPerSecond { get; } = new(MeasureHcl2Json);

    public static double? MegabytesPerSecond(Summary summary, BenchmarkCase benchmarkCase)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } statistics) return null;
        return Bytes / (statistics.Mean / 1e9) / 1e6;
    }

    private static double? MeasureHcl2Json()
    {
        var tool = Path.Combine(RepositoryRoot, "tests", "tools", "hcl2json");
        try
        {
            if (!Directory.Exists(Path.Combine(tool, "node_modules", "@cdktf", "hcl2json"))) Run(tool, "npm", ["ci", "--no-audit", "--no-fund"]);
            var output = Run(tool, "node", ["hcl2json.js", "--bench", "3", .. Files]);
            var result = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
            var bytes = (double)result["bytes"]!;
            var elapsedMs = (double)result["elapsedMs"]!;
            var mbps = bytes / (elapsedMs / 1000) / 1e6;
            Console.WriteLine($"// hcl2json: {bytes / 1e6:F2} MB in {elapsedMs:F0} ms = {mbps:F1} MB/s");
            return mbps;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Console.WriteLine($"// hcl2json baseline unavailable: {e.Message}");
            return null;
        }
    }

    private static string Run(string directory, string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{fileName} exited with {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    private static IReadOnlyList<string> FindFiles()
    {
        var shared = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "corpus", "rad-modules"));
        var directory = Directory.Exists(shared) ? shared : Path.Combine(RepositoryRoot, "tests", "PartnerBot.Tests", "TestData", "Modules", "corpus");
        return Directory.GetFiles(directory, "*.tf").Order(StringComparer.Ordinal).ToArray();
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "PartnerBot.sln"))) return dir.FullName;
        throw new InvalidOperationException("Run the benchmarks from inside the PartnerBot repository.");
    }
}
