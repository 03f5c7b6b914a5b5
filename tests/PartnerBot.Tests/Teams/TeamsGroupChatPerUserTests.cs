using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Tests.Teams;

/// <summary>
/// Two members of a Teams group chat fill the deploy form at the same time, through /api/messages with the product's
/// dialog engine: each one's form keeps their own values, and an Action.Execute on the other member's form is answered
/// with "this form belongs to …" while that member's dialog state stays exactly as it was.
/// </summary>
public sealed class TeamsGroupChatPerUserTests(ProductBotTeamsHost fixture) : IClassFixture<ProductBotTeamsHost>
{
    private const string GroupChat = "19:group-chat-perusertest@thread.v2";
    private static readonly (string Aad, string Name) Ann = ("0a0a0a0a-1111-4111-8111-aaaaaaaaaaaa", "Ann Example");
    private static readonly (string Aad, string Name) Bob = ("0b0b0b0b-2222-4222-8222-bbbbbbbbbbbb", "Bob Example");
    private TeamsTestHost Host => fixture.Host;

    [Fact]
    public async Task Two_members_fill_two_forms_at_once_and_a_click_on_the_other_ones_form_changes_nothing()
    {
        Host.Reset();
        var annPick = await CatalogPickAsync(Ann);
        var bobPick = await CatalogPickAsync(Bob);

        var annStep1 = await ExecuteAsync(Ann, annPick);
        var bobStep1 = await ExecuteAsync(Bob, bobPick);
        var annStep2 = await ExecuteAsync(Ann, WithInputs(Action(annStep1, "form.next"), new() { ["project_id"] = "ann-proj-1", ["region"] = "europe-west1" }));
        var bobStep2 = await ExecuteAsync(Bob, WithInputs(Action(bobStep1, "form.next"), new() { ["project_id"] = "bob-proj-2", ["region"] = "us-central1" }));
        Assert.NotNull(annStep2);
        Assert.NotNull(bobStep2);

        var states = Host.App.Services.GetRequiredService<ConversationStateStore>();
        var annBefore = await states.LoadAsync(StateKey(Ann), CancellationToken.None);
        var bobBefore = await states.LoadAsync(StateKey(Bob), CancellationToken.None);
        var annState = System.Text.Json.JsonSerializer.Serialize(annBefore.State.Stack);
        var bobState = System.Text.Json.JsonSerializer.Serialize(bobBefore.State.Stack);
        Assert.Contains("ann-proj-1", annState);
        Assert.DoesNotContain("bob-proj-2", annState);
        Assert.Contains("bob-proj-2", bobState);
        Assert.DoesNotContain("ann-proj-1", bobState);

        // Bob presses Submit on Ann's form.
        var connectorCallsBefore = Host.ConnectorCalls().Count;
        var response = await PostExecuteAsync(Bob, Action(annStep2!, "form.submit"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("application/vnd.microsoft.activity.message", (string?)body["type"]);
        var notice = Host.ConnectorCalls().Skip(connectorCallsBefore).Select(c => c.RequestMessage.Body!).Single(b => b.Contains("belongs to"));
        Assert.Contains("Ann Example", notice);

        Assert.Equal(annBefore.ETag, (await states.LoadAsync(StateKey(Ann), CancellationToken.None)).ETag);
        Assert.Equal(bobBefore.ETag, (await states.LoadAsync(StateKey(Bob), CancellationToken.None)).ETag);

        // Ann's own press still works on her untouched form.
        var annConfirm = await ExecuteAsync(Ann, Action(annStep2!, "form.submit"));
        Assert.Contains("deploy.confirm", annConfirm!.ToJsonString());
        Assert.Contains("ann-proj-1", annConfirm.ToJsonString());
    }

    private static ConversationStateKey StateKey((string Aad, string Name) who) => ConversationStateKey.For(new IncomingTurn(
        "msteams", "msteams:" + GroupChat, new ChatIdentity("msteams", who.Aad, who.Name), "x", TurnKind.Message, IsGroupConversation: true));

    private JsonObject Activity((string Aad, string Name) who, string file)
    {
        var activity = Host.Payload(file);
        activity["from"] = new JsonObject { ["id"] = "29:" + who.Aad, ["name"] = who.Name, ["aadObjectId"] = who.Aad };
        activity["conversation"] = new JsonObject
        {
            ["isGroup"] = true, ["conversationType"] = "groupChat", ["tenantId"] = "72f988bf-86f1-41af-91ab-2d7cd011db47", ["id"] = GroupChat,
        };
        activity.Remove("channelData");
        activity["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = "72f988bf-86f1-41af-91ab-2d7cd011db47" } };
        return activity;
    }

    /// <summary>Types "deploy" and returns the data of the catalog's Network button that reached the Connector.</summary>
    private async Task<JsonObject> CatalogPickAsync((string Aad, string Name) who)
    {
        var before = Host.ConnectorCalls().Count;
        var message = Activity(who, "teams-message-channel-mention.json");
        message["text"] = "<at>My Combined</at> deploy";
        Assert.Equal(HttpStatusCode.OK, (await Host.PostAuthenticatedAsync(message)).StatusCode);
        var card = Host.ConnectorCalls().Skip(before).Select(c => JsonNode.Parse(c.RequestMessage.Body!)!).Last();
        return Actions(card).First(a => (string?)a["verb"] == "deploy.pick" && (string?)a["data"]!["module"] == "Network")["data"]!.AsObject();
    }

    /// <summary>
    /// Sends an Action.Execute and returns what it showed: the invoke response's card and the cards that went through
    /// the Connector meanwhile (null when neither holds a card).
    /// </summary>
    private async Task<JsonObject?> ExecuteAsync((string Aad, string Name) who, JsonObject data)
    {
        var before = Host.ConnectorCalls().Count;
        var response = await PostExecuteAsync(who, data);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var shown = new JsonArray();
        if ((string?)body["type"] == "application/vnd.microsoft.card.adaptive") shown.Add(body["value"]!.DeepClone());
        foreach (var call in Host.ConnectorCalls().Skip(before)) shown.Add(JsonNode.Parse(call.RequestMessage.Body!));
        return Actions(shown).Any() ? new JsonObject { ["shown"] = shown } : null;
    }

    private Task<HttpResponseMessage> PostExecuteAsync((string Aad, string Name) who, JsonObject data)
    {
        var invoke = Activity(who, "teams-invoke-adaptivecard-action.COMPOSED.json");
        invoke["replyToId"] = "1:card-" + Guid.NewGuid().ToString("N")[..8];
        invoke["value"] = new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = (string?)data["verb"], ["data"] = data.DeepClone() },
            ["trigger"] = "manual",
        };
        return Host.PostAuthenticatedAsync(invoke);
    }

    private static JsonObject Action(JsonObject? card, string verb)
    {
        Assert.NotNull(card);
        var found = Actions(card).FirstOrDefault(a => (string?)a["verb"] == verb);
        Assert.True(found is not null, $"No {verb} in {card.ToJsonString()}");
        return found["data"]!.DeepClone().AsObject();
    }

    private static JsonObject WithInputs(JsonObject data, Dictionary<string, string> inputs)
    {
        foreach (var (id, value) in inputs) data[id] = value;
        return data;
    }

    private static IEnumerable<JsonObject> Actions(JsonNode node) => node switch
    {
        JsonObject o when (string?)o["type"] == "Action.Execute" || (string?)o["type"] == "Action.Submit" => [o],
        JsonObject o => o.SelectMany(p => p.Value is null ? [] : Actions(p.Value)),
        JsonArray a => a.SelectMany(e => e is null ? [] : Actions(e)),
        _ => [],
    };
}
