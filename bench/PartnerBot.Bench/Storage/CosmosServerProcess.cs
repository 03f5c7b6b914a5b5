using System.Diagnostics;
using System.Security.Cryptography;

namespace PartnerBot.Bench.Storage;

/// <summary>Runs tests/cosmos-server (node start.mjs) for the benchmark; npm ci first when node_modules is missing.</summary>
internal sealed class CosmosServerProcess : IDisposable
{
    private readonly Process _process;

    private CosmosServerProcess(Process process, string endpoint)
    {
        _process = process;
        ConnectionString = $"AccountEndpoint={endpoint};AccountKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(64))};";
    }

    public string ConnectionString { get; }

    public static CosmosServerProcess Start()
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "cosmos-server");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@vercel", "cosmosdb-server")))
        {
            using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = folder })!;
            npm.WaitForExit();
            if (npm.ExitCode != 0) throw new InvalidOperationException("npm ci failed in " + folder);
        }
        var process = Process.Start(new ProcessStartInfo("node", "start.mjs --port 0")
        {
            WorkingDirectory = folder, RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false,
        }) ?? throw new InvalidOperationException("node did not start (is Node.js on PATH?).");
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The Cosmos DB test server exited.");
        if (!line.StartsWith("listening ", StringComparison.Ordinal)) throw new InvalidOperationException("Unexpected server output: " + line);
        return new CosmosServerProcess(process, line["listening ".Length..].Trim());
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "PartnerBot.sln"))) return dir.FullName;
        throw new InvalidOperationException("PartnerBot.sln not found above " + AppContext.BaseDirectory + " or the current directory.");
    }
}
