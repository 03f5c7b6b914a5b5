using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace PartnerBot.Tests.Teams;

public sealed class TeamsAuthenticationTests(TeamsTestHost host) : IClassFixture<TeamsTestHost>, IDisposable
{
    private JsonObject Message() => host.Payload("teams-message-channel-mention.json");

    [Fact]
    public async Task A_valid_channel_token_is_accepted_and_the_turn_runs()
    {
        host.Reset();
        var response = await host.PostAuthenticatedAsync(Message());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(host.Bot.Turns);
    }

    public static TheoryData<string> Failures() =>
    [
        "missing token", "wrong signature key", "alg none", "expired", "not yet valid", "wrong audience",
        "wrong issuer", "key not endorsed for the channel", "serviceurl mismatch", "not a JWT",
    ];

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task An_unacceptable_token_gets_401_and_nothing_is_processed(string failure)
    {
        host.Reset();
        var activity = Message();
        var serviceUrl = activity["serviceUrl"]!.GetValue<string>();
        var now = DateTime.UtcNow;
        using var otherKey = RSA.Create(2048);
        var token = failure switch
        {
            "missing token" => null,
            "wrong signature key" => host.Identity.MintToken(serviceUrl, signWith: otherKey),
            "alg none" => ChannelIdentityServer.MintUnsignedToken(serviceUrl),
            "expired" => host.Identity.MintToken(serviceUrl, notBefore: now.AddHours(-2), expires: now.AddMinutes(-6)),
            "not yet valid" => host.Identity.MintToken(serviceUrl, notBefore: now.AddMinutes(6), expires: now.AddHours(1)),
            "wrong audience" => host.Identity.MintToken(serviceUrl, audience: "00000000-0000-0000-0000-000000000000"),
            "wrong issuer" => host.Identity.MintToken(serviceUrl, issuer: "https://evil.example.com"),
            "key not endorsed for the channel" => host.Identity.MintToken(serviceUrl, keyId: ChannelIdentityServer.SlackOnlyKeyId),
            "serviceurl mismatch" => host.Identity.MintToken("https://smba.trafficmanager.net/amer/"),
            "not a JWT" => "definitely-not-a-jwt",
            _ => throw new ArgumentOutOfRangeException(nameof(failure)),
        };

        var response = await host.PostAsync(activity, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(host.Bot.Turns);
        Assert.Empty(host.ConnectorCalls());
    }

    [Fact]
    public async Task Tokens_within_the_five_minute_clock_skew_are_accepted()
    {
        host.Reset();
        var activity = Message();
        var now = DateTime.UtcNow;
        var token = host.Identity.MintToken(activity["serviceUrl"]!.GetValue<string>(), notBefore: now.AddHours(-1), expires: now.AddMinutes(-3));

        var response = await host.PostAsync(activity, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(host.Bot.Turns);
    }

    [Fact]
    public async Task The_serviceurl_claim_is_compared_case_insensitively()
    {
        host.Reset();
        var activity = Message();
        var token = host.Identity.MintToken(activity["serviceUrl"]!.GetValue<string>().ToUpperInvariant());

        var response = await host.PostAsync(activity, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public void Dispose() => host.Reset();
}
