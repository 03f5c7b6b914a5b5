using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Hosting;

namespace PartnerBot.Tests.Slack;

/// <summary>
/// The real bot host on 127.0.0.1 with the Slack channel, a SQLite store in a temporary folder, the Web API pointed
/// at a WireMock fake, and a test <see cref="IChatBot"/> as the observation point.
/// </summary>
public sealed class SlackTestHost : IAsyncDisposable
{
    public const string SigningSecret = "test-signing-secret-0123456789abcdef";
    public const string BotToken = "xoxb-test-0000-token";

    private readonly WebApplication app;

    private SlackTestHost(WebApplication app, HttpClient client)
    {
        this.app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => app.Services;

    public static async Task<SlackTestHost> StartAsync(string slackApiBaseUrl, string databasePath, IChatBot? bot,
        TimeProvider? time = null, Action<IServiceCollection>? services = null, IDictionary<string, string?>? settings = null)
    {
        var app = BotHost.Build(["--urls", "http://127.0.0.1:0", "--environment", "Development"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Slack:SigningSecret"] = SigningSecret,
                ["Slack:BotToken"] = BotToken,
                ["Slack:ApiBaseUrl"] = slackApiBaseUrl,
                ["Storage:Provider"] = "Sqlite",
                ["Storage:Sqlite:Path"] = databasePath,
                ["PublicBaseUrl"] = "https://bot.example.com",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
            builder.Host.UseServiceProviderFactory(new LastWordServiceProviderFactory(all =>
            {
                if (bot is not null) { all.RemoveAll<IChatBot>(); all.AddSingleton(bot); }
                if (time is not null) { all.RemoveAll<TimeProvider>(); all.AddSingleton(time); }
                services?.Invoke(all);
            }));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SlackTestHost(app, new HttpClient { BaseAddress = new Uri(address) });
    }

    /// <summary>Posts a body signed as Slack signs it (with the current time unless <paramref name="timestamp"/> is given).</summary>
    public Task<HttpResponseMessage> PostSignedAsync(string body, string contentType, long? timestamp = null,
        IDictionary<string, string>? headers = null, string secret = SigningSecret)
    {
        var ts = (timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Encoding.ASCII.GetString(SlackSignatureVerifier.Sign(secret, ts, Encoding.UTF8.GetBytes(body)));
        var request = new HttpRequestMessage(HttpMethod.Post, SlackRoutes.Events)
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        request.Content.Headers.ContentType!.CharSet = null;
        request.Headers.Add("X-Slack-Request-Timestamp", ts);
        request.Headers.Add("X-Slack-Signature", signature);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.Add(name, value);
        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostJsonAsync(JsonNode body, IDictionary<string, string>? headers = null) =>
        PostSignedAsync(body.ToJsonString(), "application/json", headers: headers);

    public Task<HttpResponseMessage> PostInteractionAsync(JsonNode payload) =>
        PostSignedAsync("payload=" + Uri.EscapeDataString(payload.ToJsonString()), "application/x-www-form-urlencoded");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
