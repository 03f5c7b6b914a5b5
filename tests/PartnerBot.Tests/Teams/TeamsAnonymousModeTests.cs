using System.Net;

namespace PartnerBot.Tests.Teams;

/// <summary>The host with no MicrosoftAppId: loopback callers only, no tokens either way (as the SDK does for the Emulator).</summary>
public sealed class AnonymousTeamsHost : IAsyncLifetime
{
    public TeamsTestHost Host { get; } = new();

    public Task InitializeAsync()
    {
        Host.Settings["MicrosoftAppId"] = "";
        Host.Settings["MicrosoftAppPassword"] = "";
        return Host.InitializeAsync();
    }

    public Task DisposeAsync() => Host.DisposeAsync();
}

public sealed class TeamsAnonymousModeTests(AnonymousTeamsHost fixture) : IClassFixture<AnonymousTeamsHost>
{
    private TeamsTestHost Host => fixture.Host;

    [Fact]
    public async Task A_loopback_caller_without_a_token_is_served_and_replies_carry_no_token()
    {
        Host.Reset();
        var response = await Host.PostAsync(Host.Payload("teams-message-channel-mention.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Host.Bot.Turns);
        var reply = Assert.Single(Host.ConnectorCalls()).RequestMessage;
        Assert.False(reply.Headers!.ContainsKey("Authorization"));
        Assert.Equal(0, Host.Identity.TokenRequests);
    }

    [Fact]
    public async Task A_non_loopback_service_url_is_refused_in_anonymous_mode()
    {
        Host.Reset();
        var activity = Host.Payload("teams-message-channel-mention.json");
        activity["serviceUrl"] = "https://smba.trafficmanager.net/amer/";

        var response = await Host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(Host.Bot.Turns);
    }
}
