using System.Net;
using System.Text.Json.Nodes;

namespace PartnerBot.Tests.Teams;

/// <summary>The host's own dialog engine behind the Teams channel: the whole path from a Teams payload to a card.</summary>
public sealed class ProductBotTeamsHost : IAsyncLifetime
{
    public TeamsTestHost Host { get; } = new() { UseProductBot = true };
    public Task InitializeAsync() => Host.InitializeAsync();
    public Task DisposeAsync() => Host.DisposeAsync();
}

public sealed class TeamsWithDialogEngineTests(ProductBotTeamsHost fixture) : IClassFixture<ProductBotTeamsHost>
{
    private TeamsTestHost Host => fixture.Host;

    [Fact]
    public async Task Bot_added_to_a_team_posts_the_main_menu_with_execute_actions()
    {
        Host.Reset();
        var response = await Host.PostAuthenticatedAsync(Host.Payload("teams-conversationUpdate-bot-added-team.docs-example.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var post = JsonNode.Parse(Assert.Single(Host.ConnectorCalls()).RequestMessage.Body!)!;
        var card = post["attachments"]![0]!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", card["contentType"]!.GetValue<string>());
        Assert.Contains("\"Action.Execute\"", card["content"]!.ToJsonString());
    }

    [Fact]
    public async Task Typed_menu_in_a_channel_with_the_bot_mentioned_answers_with_the_menu()
    {
        Host.Reset();
        var activity = Host.Payload("teams-message-channel-mention.json");
        activity["text"] = "<at>My Combined</at> menu";

        await Host.PostAuthenticatedAsync(activity);

        var post = JsonNode.Parse(Assert.Single(Host.ConnectorCalls()).RequestMessage.Body!)!;
        Assert.Contains("\"Action.Execute\"", post["attachments"]![0]!["content"]!.ToJsonString());
    }

    [Fact]
    public async Task An_execute_on_the_menu_verb_replaces_the_card_through_the_invoke_response()
    {
        Host.Reset();
        var activity = Host.Payload("teams-invoke-adaptivecard-action.COMPOSED.json");
        activity["replyToId"] = "1:menu-card";
        activity["value"] = new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = "menu", ["data"] = new JsonObject { ["verb"] = "menu" } },
            ["trigger"] = "manual",
        };

        var response = await Host.PostAuthenticatedAsync(activity);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(200, body["statusCode"]!.GetValue<int>());
        Assert.Equal("application/vnd.microsoft.card.adaptive", body["type"]!.GetValue<string>());
        Assert.Equal("AdaptiveCard", body["value"]!["type"]!.GetValue<string>());
        Assert.Empty(Host.ConnectorCalls());
    }
}
