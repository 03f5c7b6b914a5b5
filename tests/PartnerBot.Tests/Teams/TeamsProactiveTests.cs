using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Bot.Channels.BotFramework;
using PartnerBot.Bot.Channels.Teams;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace PartnerBot.Tests.Teams;

public sealed class TeamsProactiveTests(TeamsTestHost host) : IClassFixture<TeamsTestHost>
{
    private static UiMessage Status(string text) => new(text, [new UiHeading("Deployment"), new UiText(text)], [new UiAction("Open", "deployments")]);

    private IProactiveChannel Teams => host.App.Services.GetServices<IProactiveChannel>().Single(c => c.Channel == "msteams");

    private async Task<JsonObject> AddressFromAConversationAsync()
    {
        await host.PostAuthenticatedAsync(host.Payload("teams-conversationUpdate-bot-added-team.docs-example.json"));
        var address = Assert.Single(host.Bot.Addresses);
        host.Connector.ResetLogEntries();
        return address;
    }

    [Fact]
    public async Task A_proactive_message_is_posted_to_the_stored_conversation_and_updated_in_place()
    {
        host.Reset();
        var address = await AddressFromAConversationAsync();

        var sentId = await Teams.SendAsync(address, Status("Deploying…"), null);
        var updatedId = await Teams.SendAsync(address, Status("Deployed."), sentId);

        Assert.Equal("1:sent-activity-id", sentId);
        Assert.Equal("1:updated-activity-id", updatedId);
        var calls = host.ConnectorCalls();
        Assert.Equal(2, calls.Count);
        Assert.Equal("POST", calls[0].RequestMessage.Method);
        Assert.Equal("/amer/v3/conversations/19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2/activities", calls[0].RequestMessage.AbsolutePath);
        Assert.Equal("PUT", calls[1].RequestMessage.Method);
        Assert.Equal("/amer/v3/conversations/19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2/activities/1:sent-activity-id", calls[1].RequestMessage.AbsolutePath);
        var update = JsonNode.Parse(calls[1].RequestMessage.Body!)!;
        Assert.Equal("1:sent-activity-id", update["id"]!.GetValue<string>());
        Assert.Contains("Deployed.", update["attachments"]![0]!["content"]!.ToJsonString());
        Assert.All(calls, c => Assert.Equal($"Bearer {ChannelIdentityServer.BotAccessToken}", c.RequestMessage.Headers!["Authorization"].Single()));
    }

    [Fact]
    public async Task Updating_a_deleted_message_sends_a_new_one()
    {
        host.Reset();
        var address = await AddressFromAConversationAsync();
        host.Connector.Given(Request.Create().WithPath("/amer/v3/conversations/19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2/activities/1:gone").UsingPut()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/json")
                .WithBody("""{"error":{"code":"ActivityNotFoundInConversation","message":"not found"}}"""));

        var id = await Teams.SendAsync(address, Status("Deployed."), "1:gone");

        Assert.Equal("1:sent-activity-id", id);
        Assert.Equal(["PUT", "POST"], host.ConnectorCalls().Select(c => c.RequestMessage.Method));
    }

    [Fact]
    public async Task An_address_whose_service_url_was_never_authenticated_is_refused()
    {
        host.Reset();
        var address = TeamsConversationAddress.From(new ConversationReference
        {
            ServiceUrl = host.ServiceUrl.Replace("/amer/", "/emea/"),
            Conversation = new ConversationAccount { Id = "a:forged" },
            ChannelId = "msteams",
        }, "tenant");

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Teams.SendAsync(address, Status("x"), null));

        Assert.Equal("UntrustedServiceUrl", error.Code);
        Assert.Empty(host.ConnectorCalls());
    }

    [Fact]
    public async Task A_new_one_to_one_chat_and_a_channel_post_are_created_with_the_tenant()
    {
        host.Reset();
        await AddressFromAConversationAsync();
        host.Connector.Given(Request.Create().WithPath("/amer/v3/conversations").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json")
                .WithBody("""{"id":"a:new-personal-chat","activityId":"1:root"}"""));
        var channel = host.App.Services.GetRequiredService<TeamsProactiveChannel>();
        var bot = new ChannelAccount { Id = "28:" + ChannelIdentityServer.AppId, Name = "PartnerBot" };

        var (chat, _) = await channel.SendToUserAsync(host.ServiceUrl, "tenant-1", bot, "29:user-1", Status("Your deployment is ready"));
        var (thread, rootId) = await channel.PostToChannelAsync(host.ServiceUrl, "tenant-1", "19:support@thread.tacv2", bot, Status("New ticket"));

        var calls = host.ConnectorCalls();
        var createChat = JsonNode.Parse(calls[0].RequestMessage.Body!)!;
        Assert.Equal("29:user-1", createChat["members"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("tenant-1", createChat["channelData"]!["tenant"]!["id"]!.GetValue<string>());
        Assert.Equal("/amer/v3/conversations/a:new-personal-chat/activities", calls[1].RequestMessage.AbsolutePath);
        Assert.Equal("a:new-personal-chat", chat["reference"]!["conversation"]!["id"]!.GetValue<string>());
        var createPost = JsonNode.Parse(calls[2].RequestMessage.Body!)!;
        Assert.Equal("19:support@thread.tacv2", createPost["channelData"]!["channel"]!["id"]!.GetValue<string>());
        Assert.Contains("New ticket", createPost["activity"]!.ToJsonString());
        Assert.Equal("1:root", rootId);
        Assert.Equal(3, calls.Count);
        Assert.NotNull(thread["reference"]);
    }

    [Fact]
    public async Task After_a_restart_proactive_sends_still_reach_service_urls_seen_before()
    {
        host.Reset();
        var dataDirectory = Directory.CreateTempSubdirectory("partnerbot-teams-restart-").FullName;
        JsonObject address;
        await using (var first = new TeamsTestHostScope(new TeamsTestHost(host.Identity, host.Connector, dataDirectory)))
        {
            await first.Host.InitializeAsync();
            await first.Host.PostAuthenticatedAsync(first.Host.Payload("teams-message-channel-mention.json"));
            address = Assert.Single(first.Host.Bot.Addresses);
        }
        host.Connector.ResetLogEntries();

        await using (var second = new TeamsTestHostScope(new TeamsTestHost(host.Identity, host.Connector, dataDirectory)))
        {
            await second.Host.InitializeAsync();
            var proactive = second.Host.App.Services.GetServices<IProactiveChannel>().Single(c => c.Channel == "msteams");
            Assert.Equal("1:sent-activity-id", await proactive.SendAsync(address, Status("Deployed."), null));
        }
        Assert.Single(host.ConnectorCalls());
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dataDirectory, recursive: true);
    }

    private sealed class TeamsTestHostScope(TeamsTestHost host) : IAsyncDisposable
    {
        public TeamsTestHost Host { get; } = host;
        public async ValueTask DisposeAsync() => await Host.DisposeAsync();
    }
}
