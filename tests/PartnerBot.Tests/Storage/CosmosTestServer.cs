using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Azure.Cosmos;
using PartnerBot.Api.Storage.Cosmos;

namespace PartnerBot.Tests.Storage;

/// <summary>
/// The Cosmos DB protocol server of <c>tests/cosmos-server</c> (Node.js, in memory, loopback), started once per
/// test run; <c>npm ci</c> runs first when its node_modules folder is missing. Each <see cref="TestStore"/> gets
/// its own database on it.
/// </summary>
public sealed class CosmosTestServer
{
    private static readonly Lazy<Task<CosmosTestServer>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    // The server never checks keys; the SDK only needs a well-formed one.
    private static readonly string AccountKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));

    private readonly Process _process;

    private CosmosTestServer(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
        Admin = new CosmosClient(ConnectionString, new CosmosClientOptions { ConnectionMode = ConnectionMode.Gateway, LimitToEndpoint = true });
    }

    public Uri Endpoint { get; }

    public string ConnectionString => $"AccountEndpoint={Endpoint};AccountKey={AccountKey};";

    /// <summary>A client for test set-up and clean-up (deleting databases).</summary>
    public CosmosClient Admin { get; }

    public static Task<CosmosTestServer> GetAsync() => Shared.Value;

    /// <summary>Adapter options for a database on this server: Gateway mode, this endpoint only.</summary>
    public CosmosStorageOptions Options(string database) => new()
    {
        ConnectionString = ConnectionString, Database = database, ConnectionMode = "Gateway", LimitToEndpoint = true,
        StartupTimeout = StartupTimeout,
    };

    /// <summary>A loaded test machine may need longer than the production default to create a database and its containers.</summary>
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(2);

    public IReadOnlyDictionary<string, string?> Configuration(string database) => new Dictionary<string, string?>
    {
        ["Storage:Provider"] = "Cosmos",
        ["Storage:Cosmos:ConnectionString"] = ConnectionString,
        ["Storage:Cosmos:Database"] = database,
        ["Storage:Cosmos:ConnectionMode"] = "Gateway",
        ["Storage:Cosmos:LimitToEndpoint"] = "true",
        ["Storage:Cosmos:StartupTimeout"] = StartupTimeout.ToString("c"),
    };

    public static string Folder => Path.Combine(RepositoryRoot(), "tests", "cosmos-server");

    private static async Task<CosmosTestServer> StartAsync()
    {
        var node = NodeJs.Path ?? throw new InvalidOperationException(NodeJs.MissingReason);
        var folder = Folder;
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@vercel", "cosmosdb-server")))
            await RunAsync(NodeJs.NpmPath ?? throw new InvalidOperationException("npm is not on PATH."), "ci --no-audit --no-fund", folder, TimeSpan.FromMinutes(5));

        var process = Process.Start(new ProcessStartInfo(node, "start.mjs --port 0")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("node did not start.");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process);
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"The Cosmos DB test server exited (code {(process.HasExited ? process.ExitCode : -1)}) before listening.");
            if (line.StartsWith("listening ", StringComparison.Ordinal))
            {
                // Keep draining stdout so the server never blocks on a full pipe.
                _ = Task.Run(async () => { while (await process.StandardOutput.ReadLineAsync() is not null) { } });
                return new CosmosTestServer(process, new Uri(line["listening ".Length..].Trim()));
            }
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static async Task RunAsync(string file, string arguments, string folder, TimeSpan limit)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"{file} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"'{Path.GetFileName(file)} {arguments}' failed in {folder}: {await stderr}{await stdout}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PartnerBot.sln"))) return dir.FullName;
        throw new InvalidOperationException("PartnerBot.sln not found above " + AppContext.BaseDirectory);
    }
}
