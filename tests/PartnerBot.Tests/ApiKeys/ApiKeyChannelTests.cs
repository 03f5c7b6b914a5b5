using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PartnerBot.Tests.Slack;
using PartnerBot.Tests.Teams;

namespace PartnerBot.Tests.ApiKeys;

/// <summary>
/// Slack shows a new key in an ephemeral message (Slack keeps no history of it), and the key works against the same
/// host's REST API; the inbox and the database never hold it.
/// </summary>
public sealed partial class ApiKeySlackTests : IAsyncLifetime
{
    private readonly FakeSlackApi _slack = new();
    private readonly string _database = SlackTestData.TempDatabase();
    private SlackTestHost _host = null!;

    public async Task InitializeAsync() => _host = await SlackTestHost.StartAsync(_slack.ApiBaseUrl, _database, bot: null);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _slack.Dispose();
    }

    [Fact]
    public async Task A_key_created_with_the_slash_command_is_sent_only_ephemerally_and_works()
    {
        var command = SlackTestData.Text("payloads/slack-slash-command.form.txt")
            .Replace("command=%2Fhello-world", "command=%2Fpartnerbot").Replace("text=Hi", "text=" + Uri.EscapeDataString("api key create slack-ci"))
            .Replace("channel_id=C111", "channel_id=D111").Replace("trigger_id=111.111.xxx", "trigger_id=trigger-command");
        using (var ack = await _host.PostSignedAsync(command, "application/x-www-form-urlencoded"))
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);

        var ephemeral = (await _slack.WaitForCallsAsync("chat.postEphemeral"))[0].Body!;
        var key = KeyPattern().Match(ephemeral.ToJsonString()).Value;
        Assert.NotEmpty(key);
        Assert.Equal("D111", (string?)ephemeral["channel"]);
        Assert.DoesNotContain(ephemeral["blocks"]!.AsArray(), b => (string?)b!["type"] == "actions");
        await _slack.WaitForCallsAsync("chat.postMessage"); // the plain follow-up
        Assert.All(_slack.Calls("chat.postMessage"), c => Assert.DoesNotContain(key, c.Body!.ToJsonString()));

        using var api = new HttpClient { BaseAddress = _host.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        api.DefaultRequestHeaders.Add("X-Api-Key", key);
        var credits = await api.GetAsync("api/credits");
        Assert.Equal(HttpStatusCode.OK, credits.StatusCode);
        Assert.StartsWith("u_", (string?)(await credits.Content.ReadFromJsonAsync<JsonObject>())!["userId"]);

        var needle = Encoding.UTF8.GetBytes(key);
        foreach (var path in Directory.GetFiles(Path.GetDirectoryName(_database)!, Path.GetFileName(_database) + "*"))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Assert.True(copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(needle) < 0, $"the key was found in {path}");
        }
    }

    [GeneratedRegex("pbk_[A-Za-z0-9_-]{43}")]
    private static partial Regex KeyPattern();
}

/// <summary>Teams: a key is shown as a masked field in a one-to-one chat, and never in a channel or group chat.</summary>
public sealed class ApiKeyTeamsTests(ProductBotTeamsHost fixture) : IClassFixture<ProductBotTeamsHost>
{
    private TeamsTestHost Host => fixture.Host;

    [Fact]
    public async Task In_a_channel_the_bot_refuses_to_show_a_new_key()
    {
        Host.Reset();
        var activity = Host.Payload("teams-message-channel-mention.json");
        activity["text"] = "<at>My Combined</at> api key create team key";

        await Host.PostAuthenticatedAsync(activity);

        var sent = await SentAsync();
        Assert.Contains("one-to-one chat", sent);
        Assert.DoesNotContain("pbk_", sent);
        Assert.DoesNotContain("Password", sent);
    }

    [Fact]
    public async Task In_a_personal_chat_the_key_is_a_masked_field()
    {
        Host.Reset();
        var activity = Host.Payload("teams-message-channel-mention.json");
        activity["conversation"] = new JsonObject
        {
            ["conversationType"] = "personal",
            ["tenantId"] = "72f988bf-86f1-41af-91ab-2d7cd011db47",
            ["id"] = "a:1personal-api-key-test",
        };
        activity.Remove("entities");
        activity["text"] = "api key create my laptop";

        await Host.PostAuthenticatedAsync(activity);

        var sent = await SentAsync(c => c.Contains("pbk_"));
        var card = JsonNode.Parse(sent)!["attachments"]![0]!["content"]!;
        var masked = Infrastructure.FormDriver.Inputs(card).Single(i => (string?)i["style"] == "Password");
        Assert.Matches("^pbk_[A-Za-z0-9_-]{43}$", (string?)masked["value"]);
        Assert.DoesNotContain("Action.Execute", card.ToJsonString());
    }

    /// <summary>The body of the first Connector post (matching <paramref name="match"/>), waiting for the turn to answer.</summary>
    private async Task<string> SentAsync(Func<string, bool>? match = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var bodies = Host.ConnectorCalls().Select(c => c.RequestMessage.Body ?? "").ToList();
            var found = bodies.FirstOrDefault(b => match?.Invoke(b) ?? b.Length > 0);
            if (found is not null) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The bot sent nothing. Sent: " + string.Join("\n", bodies));
            await Task.Delay(50);
        }
    }
}
