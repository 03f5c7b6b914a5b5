using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Publishing;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Publishing;

/// <summary>The real host wired to a <see cref="FakeGitHub"/>, with logs captured and chat users as plain partners.</summary>
public sealed class PublishingTestHost : IAsyncDisposable
{
    public FakeGitHub GitHub { get; } = new();
    public LogCapture Logs { get; } = new();
    public BotTestHost Host { get; private set; } = null!;

    public static async Task<PublishingTestHost> StartAsync(IDictionary<string, string?>? extra = null)
    {
        var host = new PublishingTestHost();
        host.GitHub.AddModule("modules/network", "network", "Network: a private network.");
        host.GitHub.AddModule("modules/storage", "storage", "Storage: buckets.");
        host.GitHub.AddModule("dns", "dns", "DNS zone at the repository root.");
        host.GitHub.AddModule("modules/helpers", "helpers", "A helper sub-module.", valid: false);
        host.GitHub.Files["README.md"] = "# Acme modules\n";
        host.GitHub.Files["docs/guide.md"] = "How to use these modules.\n";
        var settings = new Dictionary<string, string?>
        {
            ["GitHub:ApiBaseUrl"] = host.GitHub.ApiUrl,
            ["GitHub:RetryDelayMilliseconds"] = "10",
            ["GitHub:RequestTimeoutSeconds"] = "2",
            ["LocalChat:Roles"] = "user,partner",
            ["Logging:LogLevel:Default"] = "Debug",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        host.Host = await BotTestHost.StartAsync(settings, configure: b => b.Logging.AddProvider(host.Logs));
        return host;
    }

    public T Service<T>() where T : notnull => Host.Services.GetRequiredService<T>();

    public async Task<PlatformUser> UserAsync(DirectLineTestClient chat) =>
        (await Service<UserDirectory>().FindByIdentityAsync("directline", chat.UserId))!;

    /// <summary>A partner connected to the fake repository without the chat (for tests about what comes after).</summary>
    public async Task<string> ConnectAsync(string userId, string? token = null)
    {
        var connections = Service<GitHubConnections>();
        await connections.SaveTokenAsync(userId, token ?? FakeGitHub.ClassicToken, "acme-dev");
        await connections.SaveRepositoryAsync(userId, new RepositoryName(FakeGitHub.Owner, FakeGitHub.RepositoryName));
        return userId;
    }

    public async Task PublishAsync(string userId, params string[] modules)
    {
        var publisher = Service<ModulePublisher>();
        var sync = await publisher.SyncPartnerAsync(userId, needSnapshot: true);
        await publisher.PublishAsync(userId, sync, modules);
    }

    public async Task<List<string>> CatalogNamesAsync(string userId)
    {
        var page = await Service<IModuleCatalog>().SearchAsync(new CatalogViewer(userId, null, false),
            new CatalogQuery { Scope = CatalogScope.Partner, PageSize = 200 });
        return page.Items.Select(m => m.Name).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Everything the SQLite database holds on disk (main file, WAL, shared memory) after a checkpoint.</summary>
    public byte[] DatabaseBytes()
    {
        var path = Path.Combine(Host.DataDirectory, "partnerbot.db");
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(FULL);";
            checkpoint.ExecuteNonQuery();
        }
        var bytes = new List<byte>();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes.AddRange(copy.ToArray());
        }
        return bytes.ToArray();
    }

    /// <summary>Every activity of the conversation as stored now, read from the start (what a reconnecting page replays).</summary>
    public async Task<string> TranscriptAsync(DirectLineTestClient chat)
    {
        var replay = chat.Reconnect(Host.Client);
        await replay.PollAsync();
        return string.Join("\n", replay.Received.Select(a => a.ToJsonString()));
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        GitHub.Dispose();
    }
}

/// <summary>Reading and submitting Adaptive Card forms the way Web Chat does.</summary>
public static class CardForms
{
    public static IEnumerable<JsonObject> Inputs(JsonNode? node) => node switch
    {
        JsonObject o when ((string?)o["type"])?.StartsWith("Input.", StringComparison.Ordinal) == true => [o],
        JsonObject o => o.SelectMany(p => Inputs(p.Value)),
        JsonArray a => a.SelectMany(Inputs),
        _ => [],
    };

    public static JsonObject? Input(JsonObject card, string id) => Inputs(card).FirstOrDefault(i => (string?)i["id"] == id);

    public static bool HasInput(JsonObject card, string id) => Input(card, id) is not null;

    public static JsonObject ActionData(JsonObject card, string verb) =>
        DirectLineTestClient.Actions(card).First(a => (string?)a["data"]?["verb"] == verb)["data"]!.DeepClone().AsObject();

    /// <summary>Submits the card's form with <paramref name="values"/>.</summary>
    public static Task SubmitAsync(DirectLineTestClient chat, JsonObject card, Dictionary<string, string> values, string verb = "form.submit")
    {
        var data = ActionData(card, verb);
        foreach (var (key, value) in values) data[key] = value;
        return chat.SubmitAsync(data);
    }
}
