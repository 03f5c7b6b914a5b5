using System.Net;
using System.Text.Json.Nodes;

namespace PartnerBot.Tests.Teams;

/// <summary>A Production host with no MicrosoftAppId: Teams is off, so nothing is trusted for being on loopback.</summary>
public sealed class ProductionHostWithoutAppId : IAsyncLifetime
{
    public TeamsTestHost Host { get; } = new() { Environment = "Production" };

    public Task InitializeAsync()
    {
        Host.Settings["MicrosoftAppId"] = "";
        Host.Settings["MicrosoftAppPassword"] = "";
        // Production accepts only https metadata and login addresses; none is called without an app id.
        Host.Settings["ToBotFromChannelOpenIdMetadataUrl"] = "https://login.botframework.com/v1/.well-known/openidconfiguration";
        Host.Settings["ToChannelFromBotLoginUrl"] = "https://login.microsoftonline.com/botframework.com";
        return Host.InitializeAsync();
    }

    public Task DisposeAsync() => Host.DisposeAsync();
}

public sealed class TeamsOffInProductionTests(ProductionHostWithoutAppId fixture) : IClassFixture<ProductionHostWithoutAppId>
{
    [Fact]
    public async Task A_loopback_caller_claiming_a_slack_admin_is_not_served_and_the_host_says_teams_is_off()
    {
        var host = fixture.Host;
        var activity = host.Payload("teams-message-channel-mention.json");
        activity["channelId"] = "slack";
        activity["from"] = new JsonObject { ["id"] = "T0123:U0ADMIN", ["name"] = "Admin" };

        var response = await host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(host.Bot.Turns);
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("Teams is off", StringComparison.Ordinal));
    }
}

/// <summary>Signed callers may speak for Teams only, and identities follow the authenticated channel.</summary>
public sealed class TeamsChannelIdentityTests(TeamsTestHost host) : IClassFixture<TeamsTestHost>
{
    private TeamsTestHost Host => host;

    [Theory]
    [InlineData("slack")]
    [InlineData("webchat")]
    public async Task A_signed_activity_for_another_channel_is_forbidden(string channel)
    {
        Host.Reset();
        var activity = Host.Payload("teams-message-channel-mention.json");
        activity["channelId"] = channel;

        // The test key is endorsed for msteams, emulator and webchat, so only the channel allow-list stops these.
        var response = await Host.PostAsync(activity, channel == "slack"
            ? Host.Identity.MintToken(Host.ServiceUrl, ChannelIdentityServer.SlackOnlyKeyId)
            : Host.Identity.MintToken(Host.ServiceUrl));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(Host.Bot.Turns);
    }

    [Fact]
    public async Task The_emulator_channel_is_accepted_in_development()
    {
        Host.Reset();
        var activity = Host.Payload("teams-message-channel-mention.json");
        activity["channelId"] = "emulator";

        var response = await Host.PostAuthenticatedAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("emulator", Assert.Single(Host.Bot.Turns).From.Channel);
    }
}

public sealed class AnonymousChannelIdentityTests(AnonymousTeamsHost fixture) : IClassFixture<AnonymousTeamsHost>
{
    private TeamsTestHost Host => fixture.Host;

    [Fact]
    public async Task An_anonymous_caller_claiming_slack_is_forbidden()
    {
        Host.Reset();
        var activity = Host.Payload("teams-message-channel-mention.json");
        activity["channelId"] = "slack";
        activity["from"] = new JsonObject { ["id"] = "T0123:U0ADMIN" };

        var response = await Host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(Host.Bot.Turns);
    }

    [Fact]
    public async Task An_anonymous_caller_is_the_emulator_whatever_channel_its_body_names()
    {
        Host.Reset();
        var activity = Host.Payload("teams-message-channel-mention.json");
        activity["channelId"] = "msteams";

        var response = await Host.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var turn = Assert.Single(Host.Bot.Turns);
        Assert.Equal("emulator", turn.From.Channel);
        Assert.StartsWith("emulator:", turn.ConversationKey, StringComparison.Ordinal);
    }
}
