using System.Text;
using System.Text.Json.Nodes;
using PartnerBot.Api.Storage.Sqlite;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Features.ApiKeys;
using PartnerBot.Bot.Features.Publishing;

namespace PartnerBot.Tests.Slack;

/// <summary>What the Slack inbox keeps of each input kind: enough for the same turn, nothing secret.</summary>
public sealed class SlackInboxSanitizerTests
{
    private const string GitHubToken = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
    private const string SlackToken = "xoxb-2222222222-3333333333-abcdefghijklmnopqrstuvwx";

    private static readonly IInputGuard[] Guards = [new GitHubTokenGuard(), new ApiKeyGuard(), new ServiceTokenGuard(), new MaskedSecretGuard()];
    private readonly SlackInboxSanitizer sanitizer = new(Guards);

    [Theory]
    [InlineData("slack-event-app-mention.json")]
    [InlineData("slack-event-app-mention.docs-example.json")]
    public void An_event_maps_to_the_same_turn_from_the_stored_copy(string file)
    {
        var envelope = SlackTestData.Payload(file);
        var stored = sanitizer.ForStorage(SlackInboxKinds.Event, envelope);
        Assert.Equal(Describe(SlackTurnMapper.FromEvent(envelope)), Describe(SlackTurnMapper.FromEvent(stored)));
        AssertNoRequestCredentials(stored);
    }

    [Fact]
    public void A_slash_command_maps_to_the_same_turn_from_the_stored_copy()
    {
        var command = ParseCommand(SlackTestData.Text("payloads/slack-slash-command.form.txt"));
        var stored = sanitizer.ForStorage(SlackInboxKinds.SlashCommand, command.Fields);
        Assert.Equal(Describe(SlackTurnMapper.FromSlashCommand(command)), Describe(SlackTurnMapper.FromSlashCommand(new SlackSlashCommand(stored))));
        AssertNoRequestCredentials(stored);
    }

    [Fact]
    public void A_button_press_maps_to_the_same_turns_from_the_stored_copy()
    {
        var payload = SlackTestData.Payload("slack-block-actions.json");
        payload["message"] = new JsonObject { ["ts"] = "111.222", ["thread_ts"] = "111.000", ["blocks"] = new JsonArray(new JsonObject { ["type"] = "section" }) };
        var stored = sanitizer.ForStorage(SlackInboxKinds.BlockActions, payload);
        Assert.Equal(SlackTurnMapper.FromBlockActions(payload).Select(Describe), SlackTurnMapper.FromBlockActions(stored).Select(Describe));
        AssertNoRequestCredentials(stored);
        Assert.Null(stored["message"]!["blocks"]);
    }

    [Fact]
    public void A_closed_modal_is_kept_without_what_was_typed_into_it()
    {
        var payload = ModalPayload("view_closed", typedPassword: GitHubToken);
        var stored = sanitizer.ForStorage(SlackInboxKinds.ViewClosed, payload);
        Assert.Null(stored["view"]!["state"]);
        Assert.Null(stored["view"]!["blocks"]);
        Assert.DoesNotContain("example-disk", stored.ToJsonString());
        Assert.Equal(Describe(SlackTurnMapper.FromViewClosed(payload)), Describe(SlackTurnMapper.FromViewClosed(stored)));
    }

    [Fact]
    public void A_button_inside_a_modal_keeps_the_typed_values_but_not_the_secret_ones()
    {
        var payload = ModalPayload("block_actions", typedPassword: "correct-horse-battery-staple");
        payload["container"] = new JsonObject { ["type"] = "view", ["view_id"] = "V111" };
        payload["actions"] = new JsonArray(new JsonObject { ["action_id"] = "form.back", ["value"] = """{"formId":"deploy-1","step":1,"verb":"form.back"}""", ["type"] = "button" });
        var stored = sanitizer.ForStorage(SlackInboxKinds.BlockActions, payload);

        Assert.DoesNotContain("correct-horse-battery-staple", stored.ToJsonString());
        var turn = Assert.Single(SlackTurnMapper.FromBlockActions(stored)).Turn;
        Assert.Equal("example-disk", (string?)turn.Data!["disk_name"]);
        Assert.Null(turn.Data["admin_password"]);
        // The same press from the full payload carried the password: only the stored copy lost it.
        Assert.Equal("correct-horse-battery-staple", (string?)Assert.Single(SlackTurnMapper.FromBlockActions(payload)).Turn.Data!["admin_password"]);
    }

    [Fact]
    public void Tokens_in_a_direct_message_are_kept_only_as_their_hint_and_the_turn_is_answered_with_a_warning()
    {
        var envelope = SlackTestData.Payload("slack-event-app-mention.json");
        envelope["event"]!["text"] = $"<@W111> my tokens: {GitHubToken} and {SlackToken}";
        var stored = sanitizer.ForStorage(SlackInboxKinds.Event, envelope);

        var text = (string)stored["event"]!["text"]!;
        Assert.DoesNotContain(GitHubToken, text);
        Assert.DoesNotContain(SlackToken, text);
        Assert.Contains("ghp_…6789", text);
        Assert.Contains("xoxb-…uvwx", text);
        var refusal = Guards.Select(g => g.Inspect(SlackTurnMapper.FromEvent(stored)!.Turn)).First(r => r is not null)!;
        Assert.Contains("revoke", refusal.Message.Summary + string.Join(" ", refusal.Message.Body), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_failed_input_is_kept_without_its_payload()
    {
        var path = SlackTestData.TempDatabase();
        using var store = new SqliteDocumentStore(path);
        var inbox = new SlackInbox(store, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new SlackOptions()));
        var payload = sanitizer.ForStorage(SlackInboxKinds.Event, SlackTestData.Payload("slack-event-app-mention.json"));
        Assert.Equal(SlackAdmission.Stored, await inbox.EnqueueAsync("event-Ev111", SlackInboxKinds.Event, payload, CancellationToken.None));
        Assert.True(inbox.HandedOff.TryRead(out var item));
        Assert.NotNull((await store.ReadAsync(SlackInbox.Container, SlackInbox.Partition, "event-Ev111"))!.Body["payload"]);

        await inbox.FailAsync(item, "InvalidOperationException", CancellationToken.None);

        var failed = (await store.ReadAsync(SlackInbox.Container, SlackInbox.Partition, "event-Ev111"))!.Body;
        Assert.Equal("failed", (string?)failed["status"]);
        Assert.Equal("InvalidOperationException", (string?)failed["reason"]);
        Assert.Null(failed["payload"]);
    }

    /// <summary>A step of a form with a secret input (admin_password) and a plain one (disk_name), as the bot renders it.</summary>
    private static JsonObject ModalPayload(string type, string typedPassword)
    {
        var metadata = new SlackViewMetadata("T111", "D111", null, false, "deploy-1", 1, "form.next", new JsonObject
        {
            ["formId"] = "deploy-1", ["step"] = 1, ["secrets"] = new JsonArray("admin_password"),
        });
        var payload = SlackTestData.Payload("slack-view-submission.json");
        payload["type"] = type;
        var view = payload["view"]!.AsObject();
        view["private_metadata"] = metadata.Serialize();
        view["state"] = new JsonObject
        {
            ["values"] = new JsonObject
            {
                ["admin_password"] = new JsonObject { ["admin_password"] = new JsonObject { ["type"] = "plain_text_input", ["value"] = typedPassword } },
                ["disk_name"] = new JsonObject { ["disk_name"] = new JsonObject { ["type"] = "plain_text_input", ["value"] = "example-disk" } },
            },
        };
        return payload;
    }

    private static void AssertNoRequestCredentials(JsonObject stored)
    {
        var json = stored.ToJsonString();
        Assert.DoesNotContain("verification_token", json);
        Assert.DoesNotContain("hooks.slack.com", json);
    }

    private static SlackSlashCommand ParseCommand(string form)
    {
        Assert.True(SlackInboundParser.TryParse("application/x-www-form-urlencoded", Encoding.UTF8.GetBytes(form), out var inbound, out _));
        return Assert.IsType<SlackSlashCommand>(inbound);
    }

    private static string Describe(SlackTurnInput? input) => input is null ? "none" :
        $"{input.Turn with { Data = null }} data={input.Turn.Data?.ToJsonString()} {input.Conversation} trigger={input.TriggerId} view={input.ViewId} submitted={input.SubmittedView is not null}";
}
