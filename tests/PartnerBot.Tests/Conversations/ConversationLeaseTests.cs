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

    [StoreFact]
    public async Task The_next_turn_after_this_instance_wrote_the_state_takes_its_lease_without_reading()
    {
        var calls = new CallRecordingStore(_store.Store);
        var states = new ConversationStateStore(calls, TimeProvider.System);
        var first = await states.EnterAsync(Key, CancellationToken.None);
        first.State.RecentInputs.Add("input-1");
        await states.SaveAsync(Key, first.State, first.ETag, CancellationToken.None);
        Assert.Equal(["create conversations", "replace conversations"], calls.Calls);

        calls.Clear();
        var second = await states.EnterAsync(Key, CancellationToken.None);
        Assert.Equal(["replace conversations"], calls.Calls);
        Assert.Equal(["input-1"], second.State.RecentInputs);
        Assert.Null(second.State.Lease);

        // The lease was really taken: another instance waits for it.
        var (_, third) = await EnterElsewhereOnceGivenBackAsync("the lease taken without a read was not stored",
            async () => Assert.True(await states.LeaveAsync(Key, second, CancellationToken.None)));
        Assert.Equal(["input-1"], third.State.RecentInputs);
    }

    [StoreFact]
    public async Task A_state_another_instance_wrote_since_is_read_and_its_conversation_is_then_read_on_every_turn()
    {
        var calls = new CallRecordingStore(_store.Store);
        var here = new ConversationStateStore(calls, TimeProvider.System);
        var there = new ConversationStateStore(_store.Reopen(), TimeProvider.System);
        await SaveInputAsync(here, "input-1");
        await SaveInputAsync(there, "input-2");

        calls.Clear();
        var entered = await here.EnterAsync(Key, CancellationToken.None);
        Assert.Equal(["input-1", "input-2"], entered.State.RecentInputs);
        // The write conditional on this instance's last ETag failed and changed nothing; the state was read instead.
        Assert.Equal(["replace conversations", "read conversations", "replace conversations"], calls.Calls);
        entered.State.RecentInputs.Add("input-3");
        await here.SaveAsync(Key, entered.State, entered.ETag, CancellationToken.None);

        // Shared now: the next turns here read first rather than try a write that would fail again.
        calls.Clear();
        var next = await here.EnterAsync(Key, CancellationToken.None);
        Assert.Equal(["read conversations", "replace conversations"], calls.Calls);
        Assert.Equal(["input-1", "input-2", "input-3"], next.State.RecentInputs);
        await here.LeaveAsync(Key, next, CancellationToken.None);
    }

    [StoreFact]
    public async Task A_shared_conversation_is_remembered_again_once_no_other_instance_wrote_it_for_five_minutes()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var calls = new CallRecordingStore(_store.Store);
        var here = new ConversationStateStore(calls, clock);
        await SaveInputAsync(here, "input-1");
        await SaveInputAsync(new ConversationStateStore(_store.Reopen(), clock), "input-2");
        await SaveInputAsync(here, "input-3"); // the miss: shared from now on

        clock.Advance(ConversationStateStore.SharedFor - TimeSpan.FromSeconds(1));
        await SaveInputAsync(here, "input-4");
        clock.Advance(TimeSpan.FromSeconds(2));
        await SaveInputAsync(here, "input-5"); // read first still, and remembered once saved

        calls.Clear();
        var entered = await here.EnterAsync(Key, CancellationToken.None);
        Assert.Equal(["replace conversations"], calls.Calls);
        Assert.Equal(["input-1", "input-2", "input-3", "input-4", "input-5"], entered.State.RecentInputs);
        await here.LeaveAsync(Key, entered, CancellationToken.None);
    }

    [StoreFact]
    public async Task A_state_that_expired_or_was_removed_since_this_instance_wrote_it_starts_anew()
    {
        var calls = new CallRecordingStore(_store.Store);
        var states = new ConversationStateStore(calls, TimeProvider.System);
        await SaveInputAsync(states, "input-1");
        await _store.Store.DeleteAsync(ConversationStateStore.Container, Key.ConversationKey, Key.Id);

        calls.Clear();
        var entered = await states.EnterAsync(Key, CancellationToken.None);
        Assert.Empty(entered.State.RecentInputs);
        Assert.Equal(["replace conversations", "read conversations", "create conversations"], calls.Calls);
        await states.LeaveAsync(Key, entered, CancellationToken.None);
    }

    [StoreFact]
    public async Task The_first_turn_of_a_new_conversation_takes_its_lease_by_creating_the_state()
    {
        var calls = new CallRecordingStore(_store.Store);
        var states = new ConversationStateStore(calls, TimeProvider.System);
        var entered = await states.EnterAsync(Key, CancellationToken.None);
        Assert.Equal(["create conversations"], calls.Calls);
        Assert.Empty(entered.State.RecentInputs);
        Assert.Null(entered.State.Lease);

        // The create stored the lease: another instance waits for it.
        entered.State.RecentInputs.Add("input-1");
        var (other, next) = await EnterElsewhereOnceGivenBackAsync("the lease taken with the create was not stored",
            () => states.SaveAsync(Key, entered.State, entered.ETag, CancellationToken.None));
        Assert.Equal(["input-1"], next.State.RecentInputs);
        await other.LeaveAsync(Key, next, CancellationToken.None);
    }

    [StoreFact]
    public async Task A_state_this_instance_has_not_seen_is_read_once_the_create_finds_it_and_nothing_in_it_is_lost()
    {
        // Stored by another instance, or by this one before it restarted.
        await SaveInputAsync(new ConversationStateStore(_store.Reopen(), TimeProvider.System), "input-1");
        var calls = new CallRecordingStore(_store.Store);
        var states = new ConversationStateStore(calls, TimeProvider.System);

        var entered = await states.EnterAsync(Key, CancellationToken.None);
        Assert.Equal(["create conversations", "read conversations", "replace conversations"], calls.Calls);
        Assert.Equal(["input-1"], entered.State.RecentInputs);
        await states.LeaveAsync(Key, entered, CancellationToken.None);

        // Seen now: once its remembered state is dropped (here by a save that lost to another turn), it is read, not created.
        await Assert.ThrowsAsync<PartnerBot.Api.Storage.StorageException>(() =>
            states.SaveAsync(Key, entered.State, entered.ETag, CancellationToken.None));
        calls.Clear();
        var again = await states.EnterAsync(Key, CancellationToken.None);
        Assert.Equal(["read conversations", "replace conversations"], calls.Calls);
        Assert.Equal(["input-1"], again.State.RecentInputs);
        await states.LeaveAsync(Key, again, CancellationToken.None);
    }

    /// <summary>A turn on another instance, which must still be waiting for the lease until <paramref name="giveBack"/> runs.</summary>
    private async Task<(ConversationStateStore Other, ConversationStateStore.Entered Entered)> EnterElsewhereOnceGivenBackAsync(
        string notStored, Func<Task> giveBack)
    {
        var other = new ConversationStateStore(_store.Reopen(), TimeProvider.System);
        var waiting = other.EnterAsync(Key, CancellationToken.None);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, notStored);
        await giveBack();
        return (other, await waiting.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    private static async Task SaveInputAsync(ConversationStateStore states, string input)
    {
        var entered = await states.EnterAsync(Key, CancellationToken.None);
        entered.State.RecentInputs.Add(input);
        await states.SaveAsync(Key, entered.State, entered.ETag, CancellationToken.None);
    }
}
