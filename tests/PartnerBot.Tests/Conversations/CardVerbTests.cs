using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Support;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Features.Deployments;
using PartnerBot.Bot.Features.Support;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Model;
using PartnerBot.Tests.Deployments;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Conversations;

/// <summary>
/// Every verb a card can emit resolves to a handler. The test walks the product's cards as a user would: it starts
/// from every chat command and from the cards sent outside a turn (status cards, support relays), renders each card
/// the bot sends (Adaptive Cards and Block Kit), collects every button's verb, asserts the route table (or, for a
/// form's own buttons, the open dialog) serves it, then presses it in a fresh conversation and checks the answer is
/// the handler's, not "that button belongs to a conversation that has ended".
/// </summary>
public sealed class CardVerbTests : IAsyncLifetime
{
    private const int MaxDepth = 5;
    private static readonly string[] Fallbacks = ["belongs to a conversation that has ended", "something went wrong", "didn't understand"];

    private readonly FakeTerraform _terraform = new();
    private BotTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await BotTestHost.StartAsync(new Dictionary<string, string?> { ["Deployments:Local:SearchPath"] = _terraform.SearchPath });

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _terraform.Dispose();
    }

    /// <summary>One input of a walk: typed text, or pressing the button with this verb and title on the previous answer.</summary>
    private sealed record Step(string? Text, string? Verb = null, string? Title = null)
    {
        public override string ToString() => Text is not null ? $"\"{Text}\"" : $"[{Title} → {Verb}]";
    }

    private sealed record Button(string Verb, string Title, JsonObject Data);

    [Fact]
    public async Task Every_verb_any_card_emits_resolves_to_a_handler_that_answers_it()
    {
        var (userId, deployment, ticket) = await SeedAsync();
        var table = _host.Services.GetRequiredService<ChatRouteTable>();

        var walks = new Queue<(List<Step> Path, IReadOnlyList<UiMessage> Seed)>();
        foreach (var word in table.Commands.Select(c => c.Name)
                     .Concat(["deploy Network", "deployments Success", "billing buy", "billing transactions", "billing costs", "billing invoices",
                         "admin users", "admin deployments", "guides credits", "publish new"]))
            walks.Enqueue(([new Step(word)], []));
        // Cards posted outside any turn: pressing their buttons starts from no dialog at all.
        var statusCards = _host.Services.GetRequiredService<DeploymentStatusCards>();
        walks.Enqueue(([], [
            statusCards.Build(deployment),
            SupportCards.StaffCard(ticket),
            SupportCards.StatusForCustomer(ticket, TicketStatus.InProgress),
            SupportCards.StaffReplyForCustomer(ticket, new TicketEntry("staff", "Ana", true, "We are on it.", DateTimeOffset.UnixEpoch)),
            SupportCards.CustomerAnswerForStaff(ticket, new TicketEntry("customer", "Bo", false, "Thanks.", DateTimeOffset.UnixEpoch)),
            ErrorCard.Build("Something failed", "Details."),
        ]));

        var seen = new Dictionary<string, string>(StringComparer.Ordinal); // verb → the walk that first showed it
        var problems = new List<string>();
        var conversation = 0;
        while (walks.TryDequeue(out var walk))
        {
            var key = $"directline:verb-walk-{++conversation}";
            var answers = await ReplayAsync(key, userId, walk.Seed, walk.Path);
            if (answers is null) continue; // a button of this walk is gone (e.g. the deployment was deleted meanwhile)
            var path = string.Join(" ", walk.Path);
            if (walk.Path.Count > 0)
            {
                if (answers.Count == 0) problems.Add($"{path}: no answer");
                foreach (var text in answers.Select(AllText))
                    if (Fallbacks.FirstOrDefault(f => text.Contains(f, StringComparison.OrdinalIgnoreCase)) is { } fallback)
                        problems.Add($"{path}: answered \"{fallback}\"");
            }
            var dialogOpen = (await _host.Services.GetRequiredService<ConversationStateStore>().LoadAsync(key, CancellationToken.None)).State.Stack.Count > 0;

            foreach (var button in answers.SelectMany(Buttons))
            {
                var resolves = table.FindVerb(button.Verb) is not null || CardVerbs.IsFormVerb(button.Verb) && dialogOpen;
                if (!resolves) problems.Add($"{(path.Length == 0 ? "a card sent outside a turn" : path)}: the button \"{button.Title}\" has the verb \"{button.Verb}\", which nothing serves");
                if (!seen.TryAdd(button.Verb, path) || walk.Path.Count >= MaxDepth || !resolves) continue;
                var next = new Step(null, button.Verb, button.Title);
                walks.Enqueue(([.. walk.Path, next], walk.Seed));
            }
        }

        Assert.Empty(problems);
        // The walk did reach the feature verbs (not just the menu): one of each feature at least.
        foreach (var verb in new[] { "deploy.pick", "deploy.tab", "deployments.show", "deployments.logs", "deployments.update", "billing.tab",
                     "billing.buy", "help.section", "support.show", "support.answer", "support.claim", "theme.set", "form.next", "form.cancel", "form.open" })
            Assert.True(seen.ContainsKey(verb), $"no card emitted {verb}; seen: {string.Join(", ", seen.Keys.Order())}");
    }

    /// <summary>A partner with one deployment that succeeded and one support ticket.</summary>
    private async Task<(string UserId, PartnerBot.Api.Deployments.DeploymentView Deployment, SupportTicket Ticket)> SeedAsync()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client, userId: "verb-walker");
        await chat.SendTextAsync("deploy Network");
        var confirm = await FormDriver.FillRemainingStepsAsync(chat, await FormDriver.WaitForFormAsync(chat),
            new Dictionary<string, string> { ["project_id"] = "acme-prod-1", ["subnet_count"] = "2" });
        await chat.SubmitAsync(DirectLineTestClient.Actions(confirm).Single(a => (string?)a["data"]?["verb"] == "deploy.confirm")["data"]!.DeepClone().AsObject());
        var plan = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains(" to add, "), TimeSpan.FromSeconds(90));
        await chat.SubmitAsync(DirectLineTestClient.Actions(plan).Single(a => (string?)a["title"] == "Apply")["data"]!.DeepClone().AsObject());
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Succeeded"), TimeSpan.FromSeconds(90));

        var user = (await _host.Services.GetRequiredService<UserDirectory>().FindByIdentityAsync("directline", chat.UserId))!;
        var deployments = _host.Services.GetRequiredService<IDeploymentService>();
        var deployment = (await deployments.ListAsync(new DeploymentCaller(user.Id, false), false, null, null)).Items.Single();
        var ticket = await _host.Services.GetRequiredService<TicketStore>().CreateAsync(new NewTicket(user.Id, user.DisplayName, user.Email,
            "The network is slow", "technical", "Since this morning.", deployment.Id, deployment.ModuleName, [], "directline",
            new JsonObject { ["conversationId"] = chat.ConversationId }), "verb-walk-ticket");
        return (chat.UserId, deployment, ticket);
    }

    /// <summary>Runs the walk in a new conversation; the answers to its last step, or null when a button to press is not there.</summary>
    private async Task<IReadOnlyList<UiMessage>?> ReplayAsync(string conversationKey, string userId, IReadOnlyList<UiMessage> seed, IReadOnlyList<Step> path)
    {
        var bot = _host.Services.GetRequiredService<IChatBot>();
        var answers = seed;
        foreach (var step in path)
        {
            IncomingTurn turn;
            var id = Guid.NewGuid().ToString("N");
            var from = new ChatIdentity("directline", userId, "Verb Walker");
            if (step.Text is not null)
            {
                turn = new IncomingTurn("directline", conversationKey, from, id, TurnKind.Message, Text: step.Text);
            }
            else
            {
                var button = answers.SelectMany(Buttons).FirstOrDefault(b => b.Verb == step.Verb && b.Title == step.Title);
                if (button is null) return null;
                turn = new IncomingTurn("directline", conversationKey, from, id, TurnKind.CardAction, Verb: button.Verb, Data: button.Data.DeepClone().AsObject());
            }
            var responder = new RecordingResponder(conversationKey);
            await bot.OnTurnAsync(turn, responder);
            answers = responder.Sent;
        }
        return answers;
    }

    /// <summary>Every button of a message as the channels draw it: Adaptive Card actions (Web Chat) and Block Kit buttons (Slack).</summary>
    private static IEnumerable<Button> Buttons(UiMessage message)
    {
        var card = AdaptiveCardRenderer.Render(message, CardHost.WebChat);
        foreach (var action in DirectLineTestClient.Actions(card))
            if (action["data"] is JsonObject data && (string?)data["verb"] is { Length: > 0 } verb)
                yield return new Button(verb, (string?)action["title"] ?? "", data);
        var slack = BlockKitRenderer.RenderMessage(message).ToPayload();
        foreach (var element in Elements(slack))
            if ((string?)element["action_id"] is { } actionId && element["url"] is null && BlockKitActions.Verb(actionId) is { Length: > 0 } verb && verb != "link")
                yield return new Button(verb, (string?)element["text"]?["text"] ?? "", element["value"] is JsonValue v && v.TryGetValue<string>(out var json) && json.StartsWith('{')
                    ? JsonNode.Parse(json)!.AsObject() : new JsonObject { ["verb"] = verb });
    }

    private static IEnumerable<JsonObject> Elements(JsonNode? node) => node switch
    {
        JsonObject o when o["action_id"] is not null => [o],
        JsonObject o => o.SelectMany(p => Elements(p.Value)),
        JsonArray a => a.SelectMany(Elements),
        _ => [],
    };

    private static string AllText(UiMessage message) => DirectLineTestClient.AllText(AdaptiveCardRenderer.Render(message, CardHost.WebChat)) + message.Summary;

    private sealed class RecordingResponder(string conversationKey) : ITurnResponder
    {
        public List<UiMessage> Sent { get; } = [];

        public Task<string?> SendAsync(UiMessage message, CancellationToken ct = default)
        {
            Sent.Add(message);
            return Task.FromResult<string?>("m" + Sent.Count);
        }

        public Task<string?> UpdateAsync(string messageId, UiMessage message, CancellationToken ct = default) => SendAsync(message, ct);

        public JsonObject ConversationAddress => new() { ["conversationId"] = conversationKey };
    }
}
