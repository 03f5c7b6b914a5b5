using static PartnerBot.Tests.Slack.BlockKitTestReader;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Cards.Model;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Slack;

/// <summary>
/// Secrets sent to the Slack Request URL never land in the database: signed requests through the real endpoint, the
/// product's dialogs and a SQLite file whose bytes (and its write-ahead log) are searched afterwards.
/// </summary>
public sealed class SlackInboxSecretsTests : IAsyncLifetime
{
    private static readonly string GitHubToken = "github_pat_" + Random(60);
    private static readonly string SlackToken = "xoxp-1234567890-" + Random(24);
    private static readonly string StripeKey = "sk_live_" + Random(30);
    private static readonly string ModalToken = "ghp_" + Random(36);
    private static readonly string AdminPassword = "correct-horse-" + Random(16);

    private readonly FakeSlackApi slack = new();
    private readonly string database = SlackTestData.TempDatabase();
    private SlackTestHost host = null!;

    public async Task InitializeAsync() => host = await SlackTestHost.StartAsync(slack.ApiBaseUrl, database, bot: null);

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        slack.Dispose();
    }

    [Fact]
    public async Task Tokens_and_secret_inputs_sent_through_the_endpoint_are_in_neither_the_database_nor_its_log()
    {
        // A direct message holding two tokens: the answer says they were removed and should be revoked.
        using (var ack = await host.PostJsonAsync(DirectMessage($"here are my tokens {GitHubToken} and {SlackToken}, can you set them up?")))
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var warning = await WaitForAsync(() => slack.Calls("chat.postMessage").Select(c => c.Body!).FirstOrDefault(m => Text(m).Contains("revoke", StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain(GitHubToken, Text(warning));
        Assert.DoesNotContain(SlackToken, Text(warning));

        // A slash command holding a Stripe key.
        using (var ack = await host.PostSignedAsync(SlashCommand("help " + StripeKey), "application/x-www-form-urlencoded"))
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        await WaitForAsync(() => slack.Calls("chat.postMessage").Select(c => c.Body!).Where(m => Text(m).Contains("revoke", StringComparison.OrdinalIgnoreCase)).Skip(1).FirstOrDefault());

        // The Database form: step 1, then step 2 with its secret admin password.
        using (var ack = await host.PostSignedAsync(SlashCommand("deploy"), "application/x-www-form-urlencoded"))
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var catalog = await WaitForAsync(() => slack.Calls("chat.postMessage").Select(c => c.Body!)
            .FirstOrDefault(m => Buttons(m).Any(b => Verb(b) == "deploy.pick" && Value(b)["module"]?.ToString() == "Database")));
        await ClickAsync(Buttons(catalog).First(b => Verb(b) == "deploy.pick" && Value(b)["module"]?.ToString() == "Database"), "trigger-pick");
        var first = (await slack.WaitForCallsAsync("views.open"))[0].Body!["view"]!.AsObject();
        var second = await NextStepAsync(first, new() { ["project_id"] = "acme-secret-test" });
        Assert.Contains(InputBlocks(second), b => (string?)b["block_id"] == "admin_password");

        // Back from step 2 with the password typed: a button inside a modal, stored for the worker with the modal's state.
        await PressBackAsync(second, new() { ["admin_password"] = AdminPassword, ["storage_gb"] = "25" });
        var updated = (await slack.WaitForCallsAsync("views.update"))[0].Body!["view"]!.AsObject();
        Assert.Contains(InputBlocks(updated), b => (string?)b["block_id"] == "project_id");

        // Forward again, a token typed into the secret field, and the modal closed.
        var again = await NextStepAsync(updated, new() { ["project_id"] = "acme-secret-test" });
        await CloseAsync(again, new() { ["admin_password"] = ModalToken });

        await WaitForInboxDrainedAsync();
        // The form's other values were kept in the dialog state until the close: the 25 GB typed on step 2 survived Back.
        Assert.Contains(InputBlocks(again), b => (string?)b["block_id"] == "storage_gb" && (string?)b["element"]!["initial_value"] == "25");

        AssertNoSecretStored(RawDatabaseBytes.Read(database));
        await host.DisposeAsync();
        host = await SlackTestHost.StartAsync(slack.ApiBaseUrl, database, bot: null);
        AssertNoSecretStored(RawDatabaseBytes.Read(database));
    }

    private static void AssertNoSecretStored(RawDatabaseBytes bytes)
    {
        // What the store does keep is found (the Slack user's email from users.info), so the search reads real bytes.
        bytes.AssertHolds("owner@example.com");
        bytes.AssertNotHeld(GitHubToken, "the GitHub token from the direct message");
        bytes.AssertNotHeld(SlackToken, "the Slack token from the direct message");
        bytes.AssertNotHeld(StripeKey, "the Stripe key from the slash command");
        bytes.AssertNotHeld(AdminPassword, "the secret form field sent with Back");
        bytes.AssertNotHeld(ModalToken, "the token typed into the closed modal's secret field");
        bytes.AssertNotHeld("verification_token", "Slack's verification token");
    }

    private static string Random(int length) =>
        new(RandomNumberGenerator.GetItems<char>("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", length));

    private static JsonObject DirectMessage(string text)
    {
        var envelope = SlackTestData.Payload("slack-event-app-mention.json");
        envelope["event_id"] = "EvDirect" + Random(8);
        var ev = envelope["event"]!.AsObject();
        ev["type"] = "message";
        ev["channel_type"] = "im";
        ev["channel"] = "D111";
        ev["user"] = "W111";
        ev["text"] = text;
        return envelope;
    }

    private static string SlashCommand(string text) => SlackTestData.Text("payloads/slack-slash-command.form.txt")
        .Replace("command=%2Fhello-world", "command=%2Fpartnerbot").Replace("text=Hi", "text=" + Uri.EscapeDataString(text))
        .Replace("channel_id=C111", "channel_id=D111").Replace("trigger_id=111.111.xxx", "trigger_id=trigger-" + Random(6));

    private async Task ClickAsync(JsonObject button, string triggerId)
    {
        var click = SlackTestData.Payload("slack-block-actions.json");
        click["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = FakeSlackApi.PostedTs, ["channel_id"] = "D111", ["is_ephemeral"] = false };
        click["channel"] = new JsonObject { ["id"] = "D111", ["name"] = "directmessage" };
        click["trigger_id"] = triggerId;
        click["actions"]![0]!["action_id"] = button["action_id"]!.GetValue<string>();
        click["actions"]![0]!["value"] = button["value"]!.GetValue<string>();
        using var ack = await host.PostInteractionAsync(click);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
    }

    /// <summary>Submits a step (answered at once by the dialog) and returns the next step's view.</summary>
    private async Task<JsonObject> NextStepAsync(JsonObject view, Dictionary<string, string> values)
    {
        var payload = SlackTestData.Payload("slack-view-submission.json");
        payload["view"] = Shown(view, values);
        using var response = await host.PostInteractionAsync(payload);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("update", (string?)answer["response_action"]);
        return answer["view"]!.AsObject();
    }

    private async Task PressBackAsync(JsonObject view, Dictionary<string, string> values)
    {
        var back = Buttons(view).Single(b => Verb(b) == CardVerbs.FormBack);
        var press = SlackTestData.Payload("slack-block-actions.json");
        press.Remove("channel");
        press["container"] = new JsonObject { ["type"] = "view", ["view_id"] = FakeSlackApi.OpenedViewId };
        press["trigger_id"] = "trigger-back";
        press["view"] = Shown(view, values);
        press["actions"] = new JsonArray(new JsonObject
        {
            ["action_id"] = back["action_id"]!.GetValue<string>(), ["block_id"] = "form.nav", ["value"] = back["value"]!.GetValue<string>(),
            ["type"] = "button", ["action_ts"] = "1700000100.000100",
        });
        using var ack = await host.PostInteractionAsync(press);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
    }

    private async Task CloseAsync(JsonObject view, Dictionary<string, string> values)
    {
        var closed = SlackTestData.Payload("slack-view-submission.json");
        closed["type"] = "view_closed";
        closed["is_cleared"] = false;
        closed["view"] = Shown(view, values);
        using var ack = await host.PostInteractionAsync(closed);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
    }

    /// <summary>The modal as Slack sends it back: its id, a fresh hash, and what was typed in <c>state.values</c>.</summary>
    private static JsonObject Shown(JsonObject view, Dictionary<string, string> values)
    {
        var shown = view.DeepClone().AsObject();
        shown["id"] = FakeSlackApi.OpenedViewId;
        shown["hash"] = Guid.NewGuid().ToString("N");
        shown["state"] = new JsonObject { ["values"] = ViewState(view, values) };
        return shown;
    }

    /// <summary>Every stored input was processed: none is left pending or in progress.</summary>
    private async Task WaitForInboxDrainedAsync()
    {
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await WaitForAsync(async () =>
        {
            var page = await store.QueryAsync(SlackInbox.Container, SlackInbox.Partition, new DocumentQuery { PageSize = 100 });
            return page.Items.All(d => (string?)d.Body["status"] is "done" or "failed") ? page : null;
        });
    }

    private static Task<T> WaitForAsync<T>(Func<T?> find) where T : class => WaitForAsync(() => Task.FromResult(find()));

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> find) where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await find() is { } found) return found;
            await Task.Delay(50);
        }
        throw new TimeoutException("The expected outcome did not arrive in time.");
    }
}
