using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Bot.Hosting;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Infrastructure;

/// <summary>
/// The real host on a free loopback port with its own SQLite file (or the store given to <see cref="StartAsync"/>).
/// Dispose it to stop; start another over the same <see cref="DataDirectory"/> (and store) to simulate a restart.
/// </summary>
public sealed class BotTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;

    private BotTestHost(WebApplication app, string dataDirectory, bool ownsDirectory)
    {
        _app = app;
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1").TrimEnd('/') + "/");
        // No cookie jar: each Web Chat client started on it is a browser of its own.
        Client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public string DataDirectory { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a host. <paramref name="settings"/> override configuration keys (e.g. <c>Slack:SigningSecret</c>).
    /// <paramref name="store"/> points the host at that store (<see cref="TestStore.Configuration"/>) instead of a
    /// SQLite file in <see cref="DataDirectory"/>; work folders stay in <see cref="DataDirectory"/> either way.
    /// </summary>
    public static async Task<BotTestHost> StartAsync(IDictionary<string, string?>? settings = null, string? dataDirectory = null,
        Action<WebApplicationBuilder>? configure = null, string environment = "Development", TestStore? store = null)
    {
        var ownsDirectory = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("partnerbot-test-").FullName;
        var app = BotHost.Build(["--urls", "http://127.0.0.1:0", "--environment", environment], builder =>
        {
            var values = new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "Sqlite",
                ["Storage:Sqlite:Path"] = Path.Combine(dataDirectory, "partnerbot.db"),
                ["Logging:LogLevel:Default"] = "Warning",
            };
            if (store is not null)
            {
                values.Remove("Storage:Sqlite:Path");
                values["Deployments:Local:WorkRoot"] = Path.Combine(dataDirectory, "work");
                foreach (var (key, value) in store.Configuration) values[key] = value;
            }
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
            builder.Configuration.AddInMemoryCollection(values);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new BotTestHost(app, dataDirectory, ownsDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDirectory)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The repository root (the folder holding PartnerBot.sln), found from the test assembly's folder.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PartnerBot.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("PartnerBot.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The shared specs/corpora folder beside the repository, or null when absent (a user's fresh clone).</summary>
    public static string? SharedFolder
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
            return Directory.Exists(path) ? path : null;
        }
    }
}
