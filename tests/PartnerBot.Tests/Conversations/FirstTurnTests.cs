using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;
using PartnerBot.Tests.Infrastructure;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Conversations;

/// <summary>
/// The first turn of a conversation an instance has not seen stored, on a route that only answers (menu, help, cancel,
/// text that is no command): one write instead of a lease and a save, its replies sent once that write landed. When the
/// state turns out to exist (another instance, or before a restart), nothing of the first run is sent and the turn runs
/// again on the stored state with its lease. Each "instance" here is a bot of its own over one real SQLite store.
/// </summary>
public sealed class FirstTurnTests : IAsyncLifetime
{
    private BotTestHost _host = null!;

    public async Task InitializeAsync() => _host = await BotTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_new_conversations_hello_is_answered_once_and_stored_with_one_write()
    {
        var here = Instance();
        var chat = new Responder();

        await here.Bot.OnTurnAsync(Turn("conv-1", "input-1", "hello"), chat);

        var menu = Assert.Single(chat.Sent);
        Assert.Contains("Deploy a module", menu.Summary);
        Assert.Equal(["create conversations"], here.Calls("conversations"));
        var stored = await StoredAsync("conv-1");
        Assert.True(stored.HasProcessed("input-1"));
        Assert.Null(stored.Lease);
        Assert.Equal(Responder.AddressId, (string?)stored.Address?["conversationId"]);

        // The next turn enters that state as usual: its lease with a write conditional on the create's ETag, then the save.
        here.Store.Clear();
        await here.Bot.OnTurnAsync(Turn("conv-1", "input-2", "deploy"), chat);
        Assert.Equal(["replace conversations", "replace conversations"], here.Calls("conversations"));
        Assert.Equal("deploy", Assert.Single((await StoredAsync("conv-1")).Stack).Id);
    }

    [Fact]
    public async Task A_first_turn_on_a_route_that_does_more_than_answer_takes_the_lease_before_it_runs()
    {
        var here = Instance();
        var chat = new Responder();

        await here.Bot.OnTurnAsync(Turn("conv-2", "input-1", "deploy"), chat);

        Assert.NotEmpty(chat.Sent);
        Assert.Equal(["create conversations", "replace conversations"], here.Calls("conversations"));
        Assert.Equal("deploy", Assert.Single((await StoredAsync("conv-2")).Stack).Id);
    }

    [Fact]
    public async Task A_first_turn_on_an_instance_that_finds_the_state_stored_sends_nothing_of_its_first_run_and_runs_on_that_state()
    {
        await Instance().Bot.OnTurnAsync(Turn("conv-3", "input-1", "deploy"), new Responder());

        // Another instance (or this one after a restart) has not seen the conversation: "cancel" on a new state would find
        // nothing to cancel; on the stored state it cancels the open deploy form.
        var there = Instance();
        var chat = new Responder();
        await there.Bot.OnTurnAsync(Turn("conv-3", "input-2", "cancel"), chat);

        var answer = Assert.Single(chat.Sent);
        Assert.Contains("Cancelled.", AllText(answer));
        Assert.DoesNotContain("nothing to cancel", AllText(answer));
        Assert.Equal(["create conversations", "read conversations", "replace conversations", "replace conversations"], there.Calls("conversations"));
        var stored = await StoredAsync("conv-3");
        Assert.Empty(stored.Stack);
        Assert.True(stored.HasProcessed("input-1"));
        Assert.True(stored.HasProcessed("input-2"));
    }

    [Fact]
    public async Task An_input_another_instance_already_answered_is_not_answered_again()
    {
        await Instance().Bot.OnTurnAsync(Turn("conv-4", "input-1", "hello"), new Responder());

        var chat = new Responder();
        await Instance().Bot.OnTurnAsync(Turn("conv-4", "input-1", "hello"), chat);

        Assert.Empty(chat.Sent);
    }

    [Fact]
    public async Task Two_instances_taking_the_first_inputs_of_new_conversations_at_once_answer_each_input_once_and_keep_both()
    {
        var instances = new[] { Instance(), Instance() };
        var chats = new[] { new Responder(), new Responder() };
        const int conversations = 12;

        await Task.WhenAll(Enumerable.Range(0, conversations).SelectMany(c => new[]
        {
            instances[0].Bot.OnTurnAsync(Turn($"race-{c}", $"race-{c}-a", "hello"), chats[0]),
            instances[1].Bot.OnTurnAsync(Turn($"race-{c}", $"race-{c}-b", "help"), chats[1]),
        })).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(conversations, chats[0].Sent.Count);
        Assert.Equal(conversations, chats[1].Sent.Count);
        for (var c = 0; c < conversations; c++)
        {
            var stored = await StoredAsync($"race-{c}");
            Assert.True(stored.HasProcessed($"race-{c}-a"), $"conversation {c} lost its first input");
            Assert.True(stored.HasProcessed($"race-{c}-b"), $"conversation {c} lost its second input");
            Assert.Null(stored.Lease);
        }
    }

    [Fact]
    public async Task When_the_held_replies_cannot_be_sent_nothing_is_kept_and_the_redelivered_input_is_answered()
    {
        var here = Instance();
        var down = new Responder { Failing = true };

        await Assert.ThrowsAsync<HttpRequestException>(() => here.Bot.OnTurnAsync(Turn("conv-5", "input-1", "hello"), down));
        Assert.Null(await _host.Services.GetRequiredService<IDocumentStore>()
            .ReadAsync(ConversationStateStore.Container, "conv-5", ConversationStateKey.Of("conv-5").Id));

        var chat = new Responder();
        await here.Bot.OnTurnAsync(Turn("conv-5", "input-1", "hello"), chat);
        Assert.Single(chat.Sent);
        Assert.True((await StoredAsync("conv-5")).HasProcessed("input-1"));
    }

    /// <summary>A bot of its own over the host's store, as another instance would be: its state store remembers nothing yet.</summary>
    private (ChatBot Bot, CallRecordingStore Store, Func<string, IReadOnlyList<string>> Calls) Instance()
    {
        var store = new CallRecordingStore(_host.Services.GetRequiredService<IDocumentStore>());
        var bot = ActivatorUtilities.CreateInstance<ChatBot>(_host.Services, new ConversationStateStore(store, TimeProvider.System));
        return (bot, store, container => store.Calls.Where(c => c.EndsWith(" " + container, StringComparison.Ordinal)).ToList());
    }

    private async Task<ConversationState> StoredAsync(string conversation) =>
        (await _host.Services.GetRequiredService<ConversationStateStore>().LoadAsync(conversation, CancellationToken.None)).State;

    private static IncomingTurn Turn(string conversation, string activityId, string text) =>
        new("msteams", conversation, new ChatIdentity("msteams", "29:first-turn-user", "Avery Quinn"), activityId, TurnKind.Message, text);

    private static string AllText(UiMessage message) => string.Join(" ", message.Body.OfType<UiText>().Select(t => t.Markdown));

    private sealed class Responder : ITurnResponder
    {
        private readonly List<UiMessage> _sent = [];

        public bool Failing { get; init; }

        public IReadOnlyList<UiMessage> Sent
        {
            get { lock (_sent) return _sent.ToList(); }
        }

        public Task<string?> SendAsync(UiMessage message, CancellationToken ct = default)
        {
            if (Failing) throw new HttpRequestException("The Connector is unreachable.");
            lock (_sent) _sent.Add(message);
            return Task.FromResult<string?>("m" + _sent.Count);
        }

        public Task<string?> UpdateAsync(string messageId, UiMessage message, CancellationToken ct = default) => SendAsync(message, ct);

        public const string AddressId = "19:first-turn-address";

        public JsonObject ConversationAddress => new() { ["conversationId"] = AddressId };
    }
}
