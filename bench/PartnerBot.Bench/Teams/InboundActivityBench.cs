using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PartnerBot.Bot.Channels.BotFramework;
using PartnerBot.Bot.Channels.Teams;

namespace PartnerBot.Bench.Teams;

/// <summary>
/// What each inbound Teams activity costs before the dialog runs: reading the activity JSON (baseline), validating
/// the channel's JWT with cached keys, and mapping the activity to a turn (mention stripping).
/// Run: dotnet run -c Release --project bench/PartnerBot.Bench -- --filter '*InboundActivityBench*' --job short --inProcess
/// </summary>
[MemoryDiagnoser]
public class InboundActivityBench
{
    private const string AppId = "3f2c8a1e-5b7d-4c1e-9a2b-123456789abc";
    private const string ServiceUrl = "https://smba.trafficmanager.net/amer/";
    private readonly RSA _key = RSA.Create(2048);
    private WebApplication? _keyServer;
    private ServiceProvider? _services;
    private ChannelTokenValidator? _validator;
    private byte[] _body = [];
    private string _authorization = "";

    [GlobalSetup]
    public void Setup()
    {
        _keyServer = StartKeyServer();
        var baseUrl = _keyServer.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MicrosoftAppId"] = AppId,
            ["MicrosoftAppPassword"] = "bench",
            ["ToBotFromChannelOpenIdMetadataUrl"] = baseUrl + "/metadata",
            ["ToChannelFromBotLoginUrl"] = baseUrl + "/botframework.com",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = "Development", ApplicationName = "bench" });
        services.AddTeamsChannel(configuration);
        _services = services.BuildServiceProvider();
        _validator = _services.GetRequiredService<ChannelTokenValidator>();

        _body = Encoding.UTF8.GetBytes(ChannelMention().ToJsonString());
        _authorization = "Bearer " + new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://api.botframework.com",
            Audience = AppId,
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["serviceurl"] = ServiceUrl },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_key) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256),
        });
        // Loads the keys once, as the first request of a running bot does.
        if (_validator.ValidateTokenAsync(_authorization, CancellationToken.None).GetAwaiter().GetResult().Identity is null)
            throw new InvalidOperationException("The bench token does not validate.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services?.Dispose();
        _keyServer?.StopAsync().GetAwaiter().GetResult();
        _key.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Activity? ReadActivity() => JsonSerializer.Deserialize(_body, BotFrameworkJsonContext.Default.Activity);

    [Benchmark]
    public async Task<bool> ValidateChannelToken()
    {
        var (identity, _) = await _validator!.ValidateTokenAsync(_authorization, CancellationToken.None);
        return identity is not null && ChannelTokenValidator.CheckActivity(identity, "msteams", ServiceUrl) is null;
    }

    [Benchmark]
    public string? ReadAndMapToTurn() =>
        TeamsTurnMapper.FromMessage(JsonSerializer.Deserialize(_body, BotFrameworkJsonContext.Default.Activity)!).Text;

    private WebApplication StartKeyServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var p = _key.ExportParameters(false);
        app.MapGet("/metadata", (HttpContext c) => Results.Json(new JsonObject
        {
            ["jwks_uri"] = $"{c.Request.Scheme}://{c.Request.Host}/keys",
        }));
        app.MapGet("/keys", () => Results.Json(new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA", ["use"] = "sig", ["kid"] = "k1",
                ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
                ["endorsements"] = new JsonArray("msteams"),
            }),
        }));
        app.StartAsync().GetAwaiter().GetResult();
        return app;
    }

    private static JsonObject ChannelMention() => new()
    {
        ["text"] = "<at>PartnerBot</at> deploy",
        ["type"] = "message",
        ["id"] = "1571537152320",
        ["channelId"] = "msteams",
        ["serviceUrl"] = ServiceUrl,
        ["from"] = new JsonObject { ["id"] = "29:1CFIxRJB", ["name"] = "Dave", ["aadObjectId"] = "6b703ce3-6d14-4fe6-b90c-dc5f03657ae4" },
        ["conversation"] = new JsonObject
        {
            ["isGroup"] = true, ["conversationType"] = "channel", ["tenantId"] = "72f988bf-86f1-41af-91ab-2d7cd011db47",
            ["id"] = "19:097e6717fd7245bdbeba6baa13840db8@thread.skype;messageid=1571537152320",
        },
        ["recipient"] = new JsonObject { ["id"] = "28:" + AppId, ["name"] = "PartnerBot" },
        ["entities"] = new JsonArray(new JsonObject
        {
            ["type"] = "mention", ["text"] = "<at>PartnerBot</at>",
            ["mentioned"] = new JsonObject { ["id"] = "28:" + AppId, ["name"] = "PartnerBot" },
        }),
        ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = "72f988bf-86f1-41af-91ab-2d7cd011db47" } },
    };
}
