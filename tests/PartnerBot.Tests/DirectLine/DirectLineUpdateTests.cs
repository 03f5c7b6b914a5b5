using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Channels.DirectLine;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.DirectLine;

/// <summary>
/// A bot message updated in place: the new version has the message's id and place (Web Chat replaces the old one),
/// reaches clients after their watermark over HTTP and WebSocket, is the only version a reconnecting client gets, and
/// is stored once. An update with nothing new is not sent.
/// </summary>
public sealed class DirectLineUpdateTests : IAsyncLifetime
{
    private BotTestHost _host = null!;

    public async Task InitializeAsync() => _host = await BotTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private IProactiveChannel Proactive => _host.Services.GetServices<IProactiveChannel>().Single(c => c.Channel == DirectLineChannel.ChannelId);

    private static JsonObject Address(DirectLineTestClient chat) => new() { ["conversationId"] = chat.ConversationId };

    private static UiMessage Status(string text) =>
        new(text, [new UiHeading(text), new UiText("Step of a deployment", UiTextTone.Subtle)], [new UiAction("Details", "deployments.show", new JsonObject { ["deploymentId"] = "dep-1" })]);

    private static long Position(JsonObject activity) => (long)activity["channelData"]![DirectLineConversations.SequenceIdKey]!;

    private async Task<List<JsonObject>> NewActivitiesAsync(DirectLineTestClient chat)
    {
        var before = chat.Received.Count;
        await chat.PollAsync();
        return chat.Received.Skip(before).ToList();
    }

    [Fact]
    public async Task An_update_reaches_a_polling_client_with_the_same_id_and_place_and_replaces_the_stored_version()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("menu");
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Deploy a module"));
        var id = await Proactive.SendAsync(Address(chat), Status("Network: Queued"), null);
        var first = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Network: Queued"));
        Assert.Equal(id, (string?)first["id"]);
        await chat.SendTextAsync("help");
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Deploy a module"));
        await chat.PollAsync();
        var watermark = chat.Watermark;

        var updatedId = await Proactive.SendAsync(Address(chat), Status("Network: Deploying… (5 s)"), id);

        Assert.Equal(id, updatedId);
        var delivered = Assert.Single(await NewActivitiesAsync(chat));
        Assert.Equal(id, (string?)delivered["id"]);
        Assert.Contains("Network: Deploying… (5 s)", DirectLineTestClient.AllText(delivered));
        Assert.Equal(Position(first), Position(delivered));
        Assert.Equal((string?)first["timestamp"], (string?)delivered["timestamp"]);
        Assert.True(chat.Watermark > watermark);
        // The messages after it keep coming after it: positions are in the order the messages were first sent.
        var later = chat.Received.Where(a => (string?)a["from"]?["role"] == "user" && DirectLineTestClient.AllText(a).Contains("help")).Single();
        Assert.True(Position(later) > Position(delivered));

        // A client that reconnects from the start gets one version of the card: the latest.
        var replay = chat.Reconnect(_host.Client);
        await replay.PollAsync();
        var versions = replay.Received.Where(a => (string?)a["id"] == id).ToList();
        Assert.Contains("Network: Deploying… (5 s)", DirectLineTestClient.AllText(Assert.Single(versions)));
        Assert.DoesNotContain(replay.Received, a => DirectLineTestClient.AllText(a).Contains("Network: Queued"));
        Assert.Equal(replay.Received.Count, replay.Received.Select(a => (string?)a["id"]).Distinct().Count());

        // The stored transcript holds the card once.
        var store = _host.Services.GetRequiredService<IDocumentStore>();
        var page = await store.QueryAsync(DirectLineConversations.Container, chat.ConversationId, new DocumentQuery { PageSize = 100 });
        var stored = page.Items.Where(d => (string?)d.Body["activity"]?["id"] == id).ToList();
        Assert.Contains("Network: Deploying… (5 s)", DirectLineTestClient.AllText(Assert.Single(stored).Body));
    }

    [Fact]
    public async Task An_update_with_the_same_content_is_not_sent_again()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        var id = await Proactive.SendAsync(Address(chat), Status("Network: Deploying…"), null);
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Network: Deploying…"));
        await chat.PollAsync();
        var watermark = chat.Watermark;

        Assert.Equal(id, await Proactive.SendAsync(Address(chat), Status("Network: Deploying…"), id));
        Assert.Equal(id, await Proactive.SendAsync(Address(chat), Status("Network: Deploying…"), id));

        Assert.Empty(await NewActivitiesAsync(chat));
        Assert.Equal(watermark, chat.Watermark);

        await Proactive.SendAsync(Address(chat), Status("Network: Succeeded in 2 min 3 s"), id);
        var delivered = Assert.Single(await NewActivitiesAsync(chat));
        Assert.Contains("Succeeded in 2 min 3 s", DirectLineTestClient.AllText(delivered));
    }

    [Fact]
    public async Task An_update_of_a_message_from_another_conversation_is_sent_as_a_new_message_and_leaves_that_one_alone()
    {
        var alice = await DirectLineTestClient.StartAsync(_host.Client);
        var bob = await DirectLineTestClient.StartAsync(_host.Client);
        var alicesCard = await Proactive.SendAsync(Address(alice), Status("Alice's card"), null);
        await alice.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Alice's card"));

        var sent = await Proactive.SendAsync(Address(bob), Status("Bob's card"), alicesCard);

        Assert.NotEqual(alicesCard, sent);
        Assert.StartsWith(bob.ConversationId + "|", sent);
        await bob.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Bob's card"));
        var replay = alice.Reconnect(_host.Client);
        await replay.PollAsync();
        Assert.Contains(replay.Received, a => DirectLineTestClient.AllText(a).Contains("Alice's card"));
        Assert.DoesNotContain(replay.Received, a => DirectLineTestClient.AllText(a).Contains("Bob's card"));
    }

    [Fact]
    public async Task Every_activity_carries_its_place_for_web_chat_and_the_users_own_channel_data_is_kept()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        var clientActivityId = Guid.NewGuid().ToString("N");
        await chat.PostActivityAsync(new JsonObject
        {
            ["type"] = "message",
            ["from"] = new JsonObject { ["id"] = chat.UserId },
            ["text"] = "menu",
            ["channelData"] = new JsonObject { ["clientActivityID"] = clientActivityId, [DirectLineConversations.SequenceIdKey] = 999_999 },
        });
        await chat.WaitForCardAsync();

        var positions = chat.Received.Select(Position).ToList();
        Assert.Equal(positions.Order().ToList(), positions);
        Assert.Equal(positions.Count, positions.Distinct().Count());
        var echo = chat.Received.First();
        Assert.Equal(clientActivityId, (string?)echo["channelData"]!["clientActivityID"]);
        Assert.Equal(long.Parse(((string)echo["id"]!).Split('|')[1]), Position(echo));
    }

    [Fact]
    public async Task A_stream_delivers_the_update_once_and_a_reconnecting_stream_only_the_latest_version()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await using (var stream = await DirectLineStreamClient.ConnectAsync(_host.Client, chat))
        {
            var id = await Proactive.SendAsync(Address(chat), Status("Network: Queued"), null);
            var first = await stream.WaitForAsync(a => (string?)a["id"] == id);

            await Proactive.SendAsync(Address(chat), Status("Network: Deploying…"), id);
            var update = await stream.WaitForAsync(a => DirectLineTestClient.AllText(a).Contains("Network: Deploying…"));
            Assert.Equal(id, (string?)update["id"]);
            Assert.Equal(Position(first), Position(update));

            // The same content again sends nothing: the next thing on the stream is the message after it.
            await Proactive.SendAsync(Address(chat), Status("Network: Deploying…"), id);
            await Proactive.SendAsync(Address(chat), UiMessage.Text("Something else"), null);
            await stream.WaitForAsync(a => DirectLineTestClient.AllText(a).Contains("Something else"));
            Assert.Single(stream.Received, a => DirectLineTestClient.AllText(a).Contains("Network: Deploying…"));

            await Proactive.SendAsync(Address(chat), Status("Network: Succeeded in 9 s"), id);
            await stream.WaitForAsync(a => DirectLineTestClient.AllText(a).Contains("Succeeded in 9 s"));
            Assert.Equal(3, stream.Received.Count(a => (string?)a["id"] == id));
        }

        // Reconnecting from the start: each activity once, the card in its latest version.
        await using var again = await DirectLineStreamClient.ConnectAsync(_host.Client, chat, "0");
        await again.WaitForAsync(a => DirectLineTestClient.AllText(a).Contains("Succeeded in 9 s"));
        await again.WaitForAsync(a => DirectLineTestClient.AllText(a).Contains("Something else"));
        Assert.DoesNotContain(again.Received, a => DirectLineTestClient.AllText(a).Contains("Network: Queued"));
        Assert.DoesNotContain(again.Received, a => DirectLineTestClient.AllText(a).Contains("Network: Deploying…"));
        Assert.Equal(again.Received.Count, again.Received.Select(a => (string?)a["id"]).Distinct().Count());
    }

    [Fact]
    public async Task A_stream_resumed_from_a_watermark_gets_an_update_made_while_it_was_away()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        string id;
        string watermark;
        await using (var stream = await DirectLineStreamClient.ConnectAsync(_host.Client, chat))
        {
            id = (await Proactive.SendAsync(Address(chat), Status("Network: Queued"), null))!;
            await stream.WaitForAsync(a => (string?)a["id"] == id);
            watermark = stream.Watermark!;
        }

        await Proactive.SendAsync(Address(chat), Status("Network: Succeeded in 4 s"), id);

        await using var resumed = await DirectLineStreamClient.ConnectAsync(_host.Client, chat, watermark);
        var update = await resumed.WaitForAsync(a => (string?)a["id"] == id);
        Assert.Contains("Succeeded in 4 s", DirectLineTestClient.AllText(update));
        Assert.Single(resumed.Received);
    }
}
