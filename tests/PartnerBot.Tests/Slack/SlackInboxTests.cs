using System.Net;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Tests.Slack;

/// <summary>The durable inbox: inputs survive a restart and redelivered events are processed once.</summary>
public sealed class SlackInboxTests : IDisposable
{
    private readonly FakeSlackApi slack = new();
    private readonly string database = SlackTestData.TempDatabase();

    [Fact]
    public async Task Event_accepted_before_a_shutdown_is_processed_after_the_restart_once()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The first host's bot never finishes: the host stops in the middle of the turn.
        var stuck = new RecordingChatBot(async (_, _, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        });
        var envelope = SlackTestData.Payload("slack-event-app-mention.json");

        await using (var first = await SlackTestHost.StartAsync(slack.ApiBaseUrl, database, stuck))
        {
            using var ack = await first.PostJsonAsync(envelope);
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
            await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }

        var second = new RecordingChatBot((turn, responder, ct) => responder.SendAsync(PartnerBot.Cards.Model.UiMessage.Text("hello " + turn.Text), ct));
        await using (var restarted = await SlackTestHost.StartAsync(slack.ApiBaseUrl, database, second))
        {
            var turn = await second.NextTurnAsync();
            Assert.Equal("Hi there!", turn.Text);
            Assert.Equal("Ev111", turn.ActivityId);
            await slack.WaitForCallsAsync("chat.postMessage");

            // Slack's retry of the same event after the restart is acknowledged and not processed again.
            using var retry = await restarted.PostJsonAsync(envelope, new Dictionary<string, string> { ["X-Slack-Retry-Num"] = "1", ["X-Slack-Retry-Reason"] = "http_timeout" });
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            await Task.Delay(500);
            Assert.Single(second.Turns);
            Assert.Single(slack.Calls("chat.postMessage"));
        }
        Assert.Single(stuck.Turns);
    }

    [Fact]
    public async Task Retried_event_id_is_processed_once()
    {
        var bot = new RecordingChatBot();
        await using var host = await SlackTestHost.StartAsync(slack.ApiBaseUrl, database, bot);
        var envelope = SlackTestData.Payload("slack-event-app-mention.docs-example.json");

        var deliveries = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => host.PostJsonAsync(envelope,
            i == 0 ? null : new Dictionary<string, string> { ["X-Slack-Retry-Num"] = i.ToString(), ["X-Slack-Retry-Reason"] = "http_error" })));
        Assert.All(deliveries, d => Assert.Equal(HttpStatusCode.OK, d.StatusCode));

        Assert.Equal("Ev123ABC456", (await bot.NextTurnAsync()).ActivityId);
        await Task.Delay(500);
        Assert.Single(bot.Turns);
    }

    public void Dispose() => slack.Dispose();
}
