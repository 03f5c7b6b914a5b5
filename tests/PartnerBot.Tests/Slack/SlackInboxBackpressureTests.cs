using System.Net;
using System.Text.Json.Nodes;

namespace PartnerBot.Tests.Slack;

/// <summary>
/// The inbox is bounded per instance (<c>Slack:InboxWindow</c>): past the window an event is not acknowledged, so
/// Slack delivers it again later, a slash command is told to retry, and whatever was acknowledged survives a restart.
/// </summary>
public sealed class SlackInboxBackpressureTests : IDisposable
{
    private readonly FakeSlackApi slack = new();
    private readonly string database = SlackTestData.TempDatabase();
    private static readonly Dictionary<string, string?> SmallWindow = new() { ["Slack:InboxWindow"] = "3" };

    [Fact]
    public async Task Past_the_window_inputs_are_refused_and_every_accepted_one_is_processed_once_after_a_restart()
    {
        // The first host's turns never finish, so its window stays full.
        var stuck = new RecordingChatBot((_, _, ct) => Task.Delay(Timeout.Infinite, ct));
        await using (var first = await SlackTestHost.StartAsync(slack.ApiBaseUrl, database, stuck, settings: SmallWindow))
        {
            for (var i = 1; i <= 3; i++)
            {
                using var ack = await first.PostJsonAsync(Mention("EvAccepted" + i));
                Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
            }

            using (var refused = await first.PostJsonAsync(Mention("EvRefused")))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.Equal("30", refused.Headers.GetValues("Retry-After").Single());
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            }

            using (var command = await first.PostSignedAsync(SlackTestData.Text("payloads/slack-slash-command.form.txt")
                       .Replace("command=%2Fhello-world", "command=%2Fpartnerbot").Replace("text=Hi", "text=help"), "application/x-www-form-urlencoded"))
            {
                Assert.Equal(HttpStatusCode.OK, command.StatusCode);
                var answer = JsonNode.Parse(await command.Content.ReadAsStringAsync())!;
                Assert.Equal("ephemeral", answer["response_type"]!.GetValue<string>());
                Assert.Contains("try again", answer["text"]!.GetValue<string>());
            }
        }

        var second = new RecordingChatBot();
        await using var restarted = await SlackTestHost.StartAsync(slack.ApiBaseUrl, database, second, settings: SmallWindow);
        var processed = new List<string>();
        for (var i = 0; i < 3; i++) processed.Add((await second.NextTurnAsync()).ActivityId);
        Assert.Equal(["EvAccepted1", "EvAccepted2", "EvAccepted3"], processed.Order());

        // Slack's later delivery of the refused event is taken now that there is room.
        using (var retry = await restarted.PostJsonAsync(Mention("EvRefused"), new Dictionary<string, string> { ["X-Slack-Retry-Num"] = "1", ["X-Slack-Retry-Reason"] = "http_error" }))
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("EvRefused", (await second.NextTurnAsync()).ActivityId);

        await Task.Delay(500);
        Assert.Equal(4, second.Turns.Count);
    }

    private static JsonObject Mention(string eventId)
    {
        var envelope = SlackTestData.Payload("slack-event-app-mention.json");
        envelope["event_id"] = eventId;
        envelope["event"]!["ts"] = "1515449522." + eventId.GetHashCode().ToString("x8");
        return envelope;
    }

    public void Dispose() => slack.Dispose();
}
