using PartnerBot.Bot.Conversations;
using PartnerBot.Tests.Billing;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Conversations;

public sealed class SqliteConversationLeaseTests() : ConversationLeaseTests(StoreKind.Sqlite);

[RequiresNode]
public sealed class CosmosConversationLeaseTests() : ConversationLeaseTests(StoreKind.Cosmos);

/// <summary>
/// Two instances on one store, each with its own adapter: a turn of a conversation on one instance holds its state, so
/// a turn of the same conversation on the other instance waits and then runs on what the first one saved.
/// </summary>
public abstract class ConversationLeaseTests(StoreKind kind) : IAsyncLifetime
{
    private static readonly ConversationStateKey Key = ConversationStateKey.Of("slack:T111:D123");
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync(kind);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [StoreFact]
    public async Task A_turn_on_another_instance_waits_for_the_holder_and_runs_on_what_it_saved()
    {
        var first = new ConversationStateStore(_store.Store, TimeProvider.System);
        var second = new ConversationStateStore(_store.Reopen(), TimeProvider.System);

        var held = await first.EnterAsync(Key, CancellationToken.None);
        var waiting = second.EnterAsync(Key, CancellationToken.None);
        await Task.Delay(500);
        Assert.False(waiting.IsCompleted, "the second turn entered while the first held the state");

        held.State.RecentInputs.Add("input-1");
        await first.SaveAsync(Key, held.State, held.ETag, CancellationToken.None);
        var entered = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("input-1", entered.State.RecentInputs);

        entered.State.RecentInputs.Add("input-2");
        await second.SaveAsync(Key, entered.State, entered.ETag, CancellationToken.None);
        var final = await first.LoadAsync(Key, CancellationToken.None);
        Assert.Equal(["input-1", "input-2"], final.State.RecentInputs);
        Assert.Null(final.State.Lease);
    }

    [StoreFact]
    public async Task Two_turns_entering_at_once_take_turns_and_neither_change_is_lost()
    {
        var instances = new[] { new ConversationStateStore(_store.Store, TimeProvider.System), new ConversationStateStore(_store.Reopen(), TimeProvider.System) };
        var turns = Enumerable.Range(0, 8).Select(async i =>
        {
            var states = instances[i % 2];
            var entered = await states.EnterAsync(Key, CancellationToken.None);
            entered.State.RecentInputs.Add("input-" + i);
            await states.SaveAsync(Key, entered.State, entered.ETag, CancellationToken.None);
        });
        await Task.WhenAll(turns).WaitAsync(TimeSpan.FromSeconds(60));

        var final = await instances[0].LoadAsync(Key, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => "input-" + i).Order(), final.State.RecentInputs.Order());
    }

    [StoreFact]
    public async Task A_turn_that_keeps_nothing_gives_the_state_back_as_it_found_it()
    {
        var states = new ConversationStateStore(_store.Store, TimeProvider.System);
        var before = await states.EnterAsync(Key, CancellationToken.None);
        before.State.RecentInputs.Add("kept");
        await states.SaveAsync(Key, before.State, before.ETag, CancellationToken.None);

        var entered = await states.EnterAsync(Key, CancellationToken.None);
        entered.State.RecentInputs.Add("a failed turn's change");
        Assert.True(await states.LeaveAsync(Key, entered, CancellationToken.None));

        var after = await states.LoadAsync(Key, CancellationToken.None);
        Assert.Equal(["kept"], after.State.RecentInputs);
        Assert.Null(after.State.Lease);
    }

    [StoreFact]
    public async Task The_lease_of_an_instance_that_stopped_mid_turn_runs_out()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var stopped = new ConversationStateStore(_store.Store, clock);
        var other = new ConversationStateStore(_store.Reopen(), clock);

        var abandoned = await stopped.EnterAsync(Key, CancellationToken.None);
        var waiting = other.EnterAsync(Key, CancellationToken.None);
        await Task.Delay(500);
        Assert.False(waiting.IsCompleted, "the lease was ignored");

        clock.Advance(ConversationStateStore.LeaseLength + TimeSpan.FromSeconds(1));
        var entered = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        await other.SaveAsync(Key, entered.State, entered.ETag, CancellationToken.None);

        // The stopped turn, should it come back, can no longer save over the state.
        Assert.False(await stopped.LeaveAsync(Key, abandoned, CancellationToken.None));
    }
}
