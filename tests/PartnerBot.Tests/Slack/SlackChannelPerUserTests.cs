using static PartnerBot.Tests.Slack.BlockKitTestReader;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Conversations;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace PartnerBot.Tests.Slack;

/// <summary>
/// Two people in one Slack channel fill the deploy form at the same time, through the endpoint, SQLite and the fake
/// Slack API: each gets their own catalog, modal and confirmation with their own values, and a click on the other's
/// confirmation is answered with "this form belongs to …" and changes neither person's dialog state.
/// </summary>
public sealed class SlackChannelPerUserTests : IAsyncLifetime
{
    private const string Channel = "C111";
    private const string Ann = "UANN0001";
    private const string Bob = "UBOB0002";
    private readonly FakeSlackApi slack = new();
    private SlackTestHost host = null!;

    public async Task InitializeAsync()
    {
        NamedUser(Ann, "Ann");
        NamedUser(Bob, "Bob");
        host = await SlackTestHost.StartAsync(slack.ApiBaseUrl, SlackTestData.TempDatabase(), bot: null,
            settings: new Dictionary<string, string?> { ["Credits:SignupAward"] = "100" });
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        slack.Dispose();
    }

    [Fact]
    public async Task Two_people_fill_two_forms_at_once_and_a_click_on_the_other_ones_form_changes_nothing()
    {
        await MentionAsync(Ann, "deploy", "Ev-ann-1");
        await MentionAsync(Bob, "deploy", "Ev-bob-1");
        var annCatalog = await WaitForPostAsync(m => Buttons(m).Any(b => Verb(b) == "deploy.pick" && OwnerOf(b) == Key(Ann)));
        var bobCatalog = await WaitForPostAsync(m => Buttons(m).Any(b => Verb(b) == "deploy.pick" && OwnerOf(b) == Key(Bob)));

        await ClickAsync(Ann, Pick(annCatalog), "trigger-ann");
        await ClickAsync(Bob, Pick(bobCatalog), "trigger-bob");
        var opened = await slack.WaitForCallsAsync("views.open", 2);
        var annView = opened.Single(c => (string?)c.Body!["trigger_id"] == "trigger-ann").Body!["view"]!.AsObject();
        var bobView = opened.Single(c => (string?)c.Body!["trigger_id"] == "trigger-bob").Body!["view"]!.AsObject();

        // The two modals advance in turns; neither sees the other's values.
        var annValues = new Dictionary<string, string> { ["project_id"] = "ann-proj-1", ["region"] = "europe-west1", ["subnet_count"] = "2", ["enable_nat"] = "true" };
        var bobValues = new Dictionary<string, string> { ["project_id"] = "bob-proj-2", ["region"] = "us-central1", ["subnet_count"] = "3", ["enable_nat"] = "false" };
        JsonObject? annStep = annView, bobStep = bobView;
        for (var guard = 0; annStep is not null || bobStep is not null; guard++)
        {
            Assert.True(guard < 10, "the forms never ended");
            if (annStep is not null) annStep = await SubmitAsync(Ann, annStep, annValues);
            if (bobStep is not null) bobStep = await SubmitAsync(Bob, bobStep, bobValues);
        }

        var annConfirm = await WaitForPostAsync(m => Buttons(m).Any(b => Verb(b) == "deploy.confirm" && OwnerOf(b) == Key(Ann)));
        var bobConfirm = await WaitForPostAsync(m => Buttons(m).Any(b => Verb(b) == "deploy.confirm" && OwnerOf(b) == Key(Bob)));
        Assert.Contains("ann-proj-1", Text(annConfirm));
        Assert.DoesNotContain("bob-proj-2", Text(annConfirm));
        Assert.Contains("bob-proj-2", Text(bobConfirm));
        Assert.DoesNotContain("ann-proj-1", Text(bobConfirm));

        var states = host.Services.GetRequiredService<ConversationStateStore>();
        var annBefore = await states.LoadAsync(StateKey(Ann), CancellationToken.None);
        var bobBefore = await states.LoadAsync(StateKey(Bob), CancellationToken.None);
        Assert.NotNull(annBefore.ETag);
        Assert.NotNull(bobBefore.ETag);

        // Bob presses Ann's Deploy button.
        await ClickAsync(Bob, Buttons(annConfirm).Single(b => Verb(b) == "deploy.confirm"), "trigger-bob-on-ann");
        var notice = await WaitForPostAsync(m => Text(m).Contains("belongs to", StringComparison.Ordinal));
        Assert.Contains("Ann", Text(notice));
        Assert.Equal(Channel, (string?)notice["channel"]);

        Assert.Equal(annBefore.ETag, (await states.LoadAsync(StateKey(Ann), CancellationToken.None)).ETag);
        Assert.Equal(bobBefore.ETag, (await states.LoadAsync(StateKey(Bob), CancellationToken.None)).ETag);
        var users = host.Services.GetRequiredService<UserDirectory>();
        var deployments = host.Services.GetRequiredService<IDeploymentService>();
        foreach (var person in new[] { Ann, Bob })
        {
            var user = await users.FindByIdentityAsync("slack", $"T111:{person}");
            Assert.Empty((await deployments.ListAsync(new DeploymentCaller(user!.Id, false), false, null, null)).Items);
        }
    }

    private static string Key(string user) => $"slack:T111:{user}";

    private static ConversationStateKey StateKey(string user) => ConversationStateKey.For(new IncomingTurn(
        SlackTurnMapper.Channel, $"slack:T111:{Channel}", SlackTurnMapper.Identity("T111", user), "x", TurnKind.Message, IsGroupConversation: true));

    private void NamedUser(string id, string name) =>
        slack.Server.Given(Request.Create().WithPath("/api/users.info").UsingPost().WithBody(new WildcardMatcher($"*{id}*"))).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json; charset=utf-8").WithBody(new JsonObject
            {
                ["ok"] = true,
                ["user"] = new JsonObject { ["id"] = id, ["name"] = name.ToLowerInvariant(), ["profile"] = new JsonObject { ["display_name"] = name } },
            }.ToJsonString()));

    private async Task MentionAsync(string user, string text, string eventId)
    {
        var mention = SlackTestData.Payload("slack-event-app-mention.json");
        mention["event_id"] = eventId;
        mention["event"]!["user"] = user;
        mention["event"]!["channel"] = Channel;
        mention["event"]!["text"] = "<@W111> " + text;
        mention["event"]!["ts"] = $"1595926230.{eventId.GetHashCode() & 0xFFFF:D6}";
        using var ack = await host.PostJsonAsync(mention);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
    }

    private static JsonObject Pick(JsonObject catalog) =>
        Buttons(catalog).First(b => Verb(b) == "deploy.pick" && Value(b)["module"]?.ToString() == "Network");

    private async Task ClickAsync(string user, JsonObject button, string triggerId)
    {
        var click = SlackTestData.Payload("slack-block-actions.json");
        click["user"] = new JsonObject { ["id"] = user, ["username"] = user.ToLowerInvariant(), ["team_id"] = "T111" };
        click["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = FakeSlackApi.PostedTs, ["channel_id"] = Channel, ["is_ephemeral"] = false };
        click["channel"] = new JsonObject { ["id"] = Channel, ["name"] = "deployments" };
        click["trigger_id"] = triggerId;
        click["actions"]![0]!["action_id"] = button["action_id"]!.GetValue<string>();
        click["actions"]![0]!["value"] = button["value"]!.GetValue<string>();
        click["actions"]![0]!["action_ts"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 + "";
        using var ack = await host.PostInteractionAsync(click);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
    }

    /// <summary>Submits a modal step as <paramref name="user"/>; the next step's view, or null when the modal closed.</summary>
    private async Task<JsonObject?> SubmitAsync(string user, JsonObject view, Dictionary<string, string> values)
    {
        var state = ViewState(view, values);
        var payload = SlackTestData.Payload("slack-view-submission.json");
        payload["user"] = new JsonObject { ["id"] = user, ["username"] = user.ToLowerInvariant(), ["team_id"] = "T111" };
        var submitted = view.DeepClone().AsObject();
        submitted["id"] = FakeSlackApi.OpenedViewId;
        submitted["hash"] = Guid.NewGuid().ToString("N");
        submitted["state"] = new JsonObject { ["values"] = state };
        payload["view"] = submitted;
        using var response = await host.PostInteractionAsync(payload);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length == 0) return null;
        var answer = JsonNode.Parse(text)!.AsObject();
        Assert.Equal("update", (string?)answer["response_action"]);
        return answer["view"]!.AsObject();
    }

    private static string? OwnerOf(JsonObject button) => PartnerBot.Cards.Model.UiActionOwner.Read(Value(button))?.Key;

    private async Task<JsonObject> WaitForPostAsync(Func<JsonObject, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (slack.Calls("chat.postMessage").Select(c => c.Body!).FirstOrDefault(match) is { } found) return found;
            await Task.Delay(50);
        }
        throw new TimeoutException("The expected Slack message was not posted. Posts so far:\n" +
            string.Join("\n", slack.Calls("chat.postMessage").Select(c => c.Body!.ToJsonString()[..Math.Min(400, c.Body!.ToJsonString().Length)])));
    }
}
