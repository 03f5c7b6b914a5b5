using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Support;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Tests.Infrastructure;
using PartnerBot.Tests.Slack;
using PartnerBot.Tests.Teams;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace PartnerBot.Tests.Support;

/// <summary>
/// The real host with Web Chat for partners, a fake Slack Web API (the staff's Slack channel) and a Teams Connector
/// stub with a local token endpoint (the staff's Teams channel).
/// </summary>
public sealed class SupportTestHost : IAsyncDisposable
{
    public const string SlackSupportChannel = "C0SUPPORT";
    public const string TeamsSupportChannel = "19:support-team-channel@thread.tacv2";
    public const string TeamsTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    public const string TeamsThread = TeamsSupportChannel + ";messageid=1700000000001";

    private readonly IReadOnlyDictionary<string, string?> _settings;

    private SupportTestHost(BotTestHost host, FakeSlackApi slack, ChannelIdentityServer identity, WireMockServer connector,
        IReadOnlyDictionary<string, string?> settings)
    {
        _settings = settings;
        Host = host;
        Slack = slack;
        Identity = identity;
        Connector = connector;
    }

    public BotTestHost Host { get; }
    public FakeSlackApi Slack { get; }
    public ChannelIdentityServer Identity { get; }
    public WireMockServer Connector { get; }
    public string TeamsServiceUrl => Connector.Urls[0].Replace("localhost", "127.0.0.1") + "/amer/";

    public UserDirectory Users => Host.Services.GetRequiredService<UserDirectory>();
    public TicketStore Tickets => Host.Services.GetRequiredService<TicketStore>();
    public AuditLog Audit => Host.Services.GetRequiredService<AuditLog>();

    public static async Task<SupportTestHost> StartAsync(IDictionary<string, string?>? extraSettings = null)
    {
        var slack = new FakeSlackApi();
        var identity = new ChannelIdentityServer();
        var connector = WireMockServer.Start();
        var serviceUrl = connector.Urls[0].Replace("localhost", "127.0.0.1") + "/amer/";
        connector.Given(Request.Create().WithPath("/amer/v3/conversations").UsingPost()).AtPriority(10)
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json")
                .WithBody(new JsonObject { ["id"] = TeamsThread, ["activityId"] = "1700000000001" }.ToJsonString()));
        connector.Given(Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/amer/v3/conversations/*/activities*")).UsingPost()).AtPriority(10)
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody("""{"id":"1:sent-activity-id"}"""));
        var settings = new Dictionary<string, string?>
        {
            ["LocalChat:Roles"] = "user,partner",
            ["PublicBaseUrl"] = "https://bot.example.com",
            ["Slack:SigningSecret"] = SlackTestHost.SigningSecret,
            ["Slack:BotToken"] = SlackTestHost.BotToken,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl,
            ["MicrosoftAppType"] = "MultiTenant",
            ["MicrosoftAppId"] = ChannelIdentityServer.AppId,
            ["MicrosoftAppPassword"] = ChannelIdentityServer.AppPassword,
            ["ToBotFromChannelOpenIdMetadataUrl"] = identity.MetadataUrl,
            ["ToBotFromChannelTokenIssuer"] = ChannelIdentityServer.Issuer,
            ["ToChannelFromBotLoginUrl"] = identity.LoginUrl,
            ["ToChannelFromBotOAuthScope"] = "https://api.botframework.com",
            ["Support:SlackChannel"] = SlackSupportChannel,
            ["Support:Teams:ServiceUrl"] = serviceUrl,
            ["Support:Teams:ChannelId"] = TeamsSupportChannel,
            ["Support:Teams:TenantId"] = TeamsTenant,
            ["Support:Delivery:PollInterval"] = "00:00:00.200",
            ["Support:Delivery:FirstRetryDelay"] = "00:00:00.200",
        };
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>()) settings[key] = value;
        var host = await BotTestHost.StartAsync(settings);
        return new SupportTestHost(host, slack, identity, connector, settings);
    }

    /// <summary>A second instance of the bot beside <see cref="Host"/>: the same settings, database and staff channels.</summary>
    public Task<BotTestHost> StartAnotherInstanceAsync() =>
        BotTestHost.StartAsync(new Dictionary<string, string?>(_settings), Host.DataDirectory);

    /// <summary>A person known to the bot from a channel identity, holding <paramref name="roles"/>.</summary>
    public async Task<PlatformUser> PersonAsync(string channel, string channelUserId, string name, string? email, params string[] roles)
    {
        var user = await Users.ResolveAsync(channel, channelUserId, name, email, ["user"]);
        foreach (var role in roles) user = await Users.GrantRoleAsync(user.Id, role);
        return user;
    }

    /// <summary>The platform user behind a Web Chat client (after its first message).</summary>
    public async Task<PlatformUser> WebChatUserAsync(DirectLineTestClient chat) =>
        await Users.FindByIdentityAsync("directline", chat.UserId) ?? throw new InvalidOperationException("The Web Chat user has not chatted yet.");

    /// <summary>A staff click in the Slack support channel: a signed <c>block_actions</c> payload.</summary>
    public async Task SlackClickAsync(string verb, string ticketId, string slackUser = "W111")
    {
        var click = SlackTestData.Payload("slack-block-actions.json");
        click["user"] = new JsonObject { ["id"] = slackUser, ["username"] = "staff", ["name"] = "staff", ["team_id"] = "T111" };
        click["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = FakeSlackApi.PostedTs, ["channel_id"] = SlackSupportChannel, ["is_ephemeral"] = false };
        click["channel"] = new JsonObject { ["id"] = SlackSupportChannel, ["name"] = "support" };
        click["message"] = new JsonObject { ["ts"] = FakeSlackApi.PostedTs, ["text"] = "support request" };
        click["trigger_id"] = "trigger-" + Guid.NewGuid().ToString("N");
        click["actions"]![0]!["action_id"] = verb;
        click["actions"]![0]!["value"] = new JsonObject { ["verb"] = verb, ["ticketId"] = ticketId }.ToJsonString();
        click["actions"]![0]!["action_ts"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 + "";
        var body = "payload=" + Uri.EscapeDataString(click.ToJsonString());
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Encoding.ASCII.GetString(SlackSignatureVerifier.Sign(SlackTestHost.SigningSecret, ts, Encoding.UTF8.GetBytes(body)));
        using var request = new HttpRequestMessage(HttpMethod.Post, SlackRoutes.Events.TrimStart('/'))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Content.Headers.ContentType!.CharSet = null;
        request.Headers.Add("X-Slack-Request-Timestamp", ts);
        request.Headers.Add("X-Slack-Signature", signature);
        using var response = await Host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A staff card submit in the Teams support thread (Action.Submit → message with <c>value</c>), with a valid channel token.</summary>
    public Task TeamsSubmitAsync(JsonObject value, string aadObjectId) => TeamsMessageAsync(aadObjectId, value, null);

    /// <summary>A message in the Teams support thread (typed text, or a card submit's <c>value</c>), with a valid channel token.</summary>
    public async Task TeamsMessageAsync(string aadObjectId, JsonObject? value, string? text, string tenantId = TeamsTenant)
    {
        var activity = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "Teams", "inbound",
            "teams-message-adaptivecard-submit-inputs.json")))!.AsObject();
        activity["id"] = "f:" + Guid.NewGuid().ToString("N");
        activity["serviceUrl"] = TeamsServiceUrl;
        activity["from"]!["aadObjectId"] = aadObjectId;
        activity["conversation"]!["id"] = TeamsThread;
        activity["conversation"]!["tenantId"] = tenantId;
        activity["channelData"]!["tenant"] = new JsonObject { ["id"] = tenantId };
        activity["value"] = value;
        if (text is not null) activity["text"] = text;
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/messages")
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Identity.MintToken(TeamsServiceUrl));
        using var response = await Host.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"Teams answered {(int)response.StatusCode}");
    }

    /// <summary>The path itself, or (for <c>.../activities</c>) a reply to an activity under it.</summary>
    private static bool IsPath(string actual, string expected)
    {
        var (a, e) = (Uri.UnescapeDataString(actual), Uri.UnescapeDataString(expected));
        return a == e || (e.EndsWith("/activities", StringComparison.Ordinal) && a.StartsWith(e + "/", StringComparison.Ordinal));
    }

    /// <summary>Bodies the Connector stub received on <paramref name="path"/> so far.</summary>
    public IReadOnlyList<JsonObject> ConnectorPosts(string path) =>
        Connector.LogEntries.Where(e => IsPath(e.RequestMessage.Path, path) && e.RequestMessage.Method == "POST")
            .Select(e => JsonNode.Parse(e.RequestMessage.Body!)!.AsObject()).ToList();

    public async Task<IReadOnlyList<JsonObject>> WaitForConnectorPostAsync(string path, Func<JsonObject, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            var posts = ConnectorPosts(path).Where(match).ToList();
            if (posts.Count > 0) return posts;
            await Task.Delay(50);
        }
        throw new TimeoutException($"No matching POST {path}; the Connector got: "
            + string.Join(", ", Connector.LogEntries.Select(e => e.RequestMessage.Method + " " + e.RequestMessage.Path)));
    }

    public async Task<IReadOnlyList<SlackCall>> WaitForSlackPostAsync(Func<SlackCall, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            var calls = Slack.Calls("chat.postMessage").Where(match).ToList();
            if (calls.Count > 0) return calls;
            await Task.Delay(50);
        }
        throw new TimeoutException("No matching chat.postMessage; got:\n" + string.Join("\n", Slack.Calls("chat.postMessage").Select(c => c.Body?.ToJsonString())));
    }

    /// <summary>A finished deployment of <paramref name="partnerId"/> with an input and an output staff must never see.</summary>
    public async Task<string> DeploymentAsync(string partnerId, string inputValue, string outputValue)
    {
        var now = DateTimeOffset.UtcNow;
        var id = "dep-" + Guid.NewGuid().ToString("N")[..12];
        await Host.Services.GetRequiredService<DeploymentRepository>().CreateAsync(new Deployment
        {
            Id = id,
            PartnerId = partnerId,
            CreatedBy = partnerId,
            Module = new ModuleReference("web-app", "platform"),
            State = DeploymentState.Success,
            Inputs = new Dictionary<string, JsonNode?> { ["project_id"] = JsonValue.Create(inputValue) },
            Outputs = new Dictionary<string, DeploymentOutput> { ["url"] = new(JsonValue.Create(outputValue), false) },
            History = [new StateChange(1, DeploymentState.Success, now, "done", partnerId)],
            Sequence = 1,
            Charged = true,
            CreatedAt = now,
            CreatedAtMs = now.ToUnixTimeMilliseconds(),
            UpdatedAt = now,
        });
        return id;
    }

    public static string Text(SlackCall call) => call.Body?.ToJsonString() ?? "";

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Slack.Dispose();
        Identity.Dispose();
        Connector.Stop();
        Connector.Dispose();
    }
}
