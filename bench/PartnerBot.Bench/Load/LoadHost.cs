using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PartnerBot.Bot.Hosting;

namespace PartnerBot.Bench.Load;

/// <summary>The real host on a free loopback port with a fresh SQLite file, for load runs.</summary>
internal sealed class LoadHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private LoadHost(WebApplication app, string directory, Uri address)
    {
        _app = app;
        _directory = directory;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<LoadHost> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("partnerbot-bench-").FullName;
        var app = BotHost.Build(["--urls", "http://127.0.0.1:0", "--environment", "Development"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:Sqlite:Path"] = Path.Combine(directory, "bench.db"),
                ["Logging:LogLevel:Default"] = "Warning",
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoadHost(app, directory, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, true); } catch (IOException) { }
    }
}
