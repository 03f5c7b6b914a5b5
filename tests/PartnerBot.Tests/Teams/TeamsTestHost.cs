using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting.Server.Features;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Hosting;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace PartnerBot.Tests.Teams;

/// <summary>
/// The real bot host on 127.0.0.1 with the Teams channel, a local identity server, a local Connector stub and a
/// recording bot. One per test class.
/// </summary>
public sealed class TeamsTestHost : IAsyncLifetime
{
    private readonly bool _ownsServers = true;
    private readonly bool _ownsData = true;

    public TeamsTestHost() : this(new ChannelIdentityServer(), WireMockServer.Start(), null) => _ownsServers = true;

    /// <summary>A host over existing fake services and data (to simulate a restart).</summary>
    internal TeamsTestHost(ChannelIdentityServer identity, WireMockServer connector, string? dataDirectory)
    {
        Identity = identity;
        Connector = connector;
        _ownsServers = false;
        _ownsData = dataDirectory is null;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("partnerbot-teams-").FullName;
    }

    public ChannelIdentityServer Identity { get; }
    public WireMockServer Connector { get; }
    public string DataDirectory { get; }
    public RecordingChatBot Bot { get; } = new();
    public RecordingLoggerProvider Logs { get; } = new();
    public WebApplication App { get; private set; } = null!;
    public HttpClient Http { get; } = new();
    public Uri BotUrl { get; private set; } = null!;

    /// <summary>The Connector stub's service URL, with a regional path prefix like Teams' <c>/amer/</c>.</summary>
    public string ServiceUrl => Connector.Urls[0].Replace("localhost", "127.0.0.1") + "/amer/";

    /// <summary>Extra configuration for one fixture variant (e.g. anonymous mode).</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    /// <summary>The host environment (Development unless a test checks Production behaviour).</summary>
    public string Environment { get; set; } = "Development";

    /// <summary>When true the host keeps its own dialog engine instead of the recording bot.</summary>
    public bool UseProductBot { get; set; }

    /// <summary>Overrides how long invokes may run before Teams gets its answer.</summary>
    public TimeSpan? InvokeBudget { get; set; }

    private int _deliveries;

    public async Task InitializeAsync()
    {
        StubConnector();
        var settings = new Dictionary<string, string?>
        {
            ["MicrosoftAppType"] = "MultiTenant",
            ["MicrosoftAppId"] = ChannelIdentityServer.AppId,
            ["MicrosoftAppPassword"] = ChannelIdentityServer.AppPassword,
            ["ToBotFromChannelOpenIdMetadataUrl"] = Identity.MetadataUrl,
            ["ToBotFromChannelTokenIssuer"] = ChannelIdentityServer.Issuer,
            ["ToChannelFromBotLoginUrl"] = Identity.LoginUrl,
            ["ToChannelFromBotOAuthScope"] = "https://api.botframework.com",
            ["PublicBaseUrl"] = "https://bot.example.com",
            ["Storage:Provider"] = "Sqlite",
            ["Storage:Sqlite:Path"] = Path.Combine(DataDirectory, "partnerbot.db"),
        };
        foreach (var (key, value) in Settings) settings[key] = value;

        App = BotHost.Build(["--urls", "http://127.0.0.1:0", "--environment", Environment], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Host.UseServiceProviderFactory(new LastWordServiceProviderFactory(services =>
            {
                if (!UseProductBot) services.AddSingleton<IChatBot>(Bot);
                if (InvokeBudget is { } budget) services.AddSingleton(new PartnerBot.Bot.Channels.Teams.InvokeBudget(budget));
            }));
            builder.Logging.AddProvider(Logs);
        });
        await App.StartAsync();
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BotUrl = new Uri(new Uri(address), "/api/messages");
    }

    /// <summary>Default Connector answers: 201 with an id for sends and replies, 200 for updates.</summary>
    public void StubConnector()
    {
        Connector.Reset();
        Connector.Given(Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/amer/v3/conversations/*/activities*")).UsingPost())
            .AtPriority(10)
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json")
                .WithBody("""{"id":"1:sent-activity-id"}"""));
        Connector.Given(Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/amer/v3/conversations/*/activities/*")).UsingPut())
            .AtPriority(10)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"id":"1:updated-activity-id"}"""));
    }

    public void Reset()
    {
        Bot.Reset();
        Logs.Entries.Clear();
        StubConnector();
    }

    /// <summary>Reads an inbound payload from TestData and points it at the Connector stub.</summary>
    public JsonObject Payload(string file)
    {
        var activity = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "Teams", "inbound", file)))!.AsObject();
        activity["serviceUrl"] = ServiceUrl;
        // Each post is a new delivery unless a test reuses the id on purpose.
        activity["id"] = $"{activity["id"]}-{Interlocked.Increment(ref _deliveries)}";
        return activity;
    }

    public Task<HttpResponseMessage> PostAsync(JsonObject activity, string? token = null, string? rawBody = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, BotUrl)
        {
            Content = new StringContent(rawBody ?? activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return Http.SendAsync(request);
    }

    /// <summary>Posts with a valid channel token for the activity's service URL.</summary>
    public Task<HttpResponseMessage> PostAuthenticatedAsync(JsonObject activity) =>
        PostAsync(activity, Identity.MintToken(activity["serviceUrl"]!.GetValue<string>()));

    public IReadOnlyList<WireMock.Logging.ILogEntry> ConnectorCalls() => Connector.LogEntries.ToList();

    public async Task DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Http.Dispose();
        if (_ownsServers)
        {
            Connector.Stop();
            Connector.Dispose();
            Identity.Dispose();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsData)
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
