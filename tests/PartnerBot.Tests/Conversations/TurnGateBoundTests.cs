using PartnerBot.Bot.Conversations;

namespace PartnerBot.Tests.Conversations;

/// <summary>
/// The per-conversation turn lock is a fixed set of gates: any number of conversations leaves nothing behind, a gate is
/// free again once its turn ends (also when the turn's release runs twice), and one conversation still has one turn at
/// a time.
/// </summary>
public sealed class TurnGateBoundTests
{
    [Fact]
    public async Task Many_conversations_use_a_fixed_set_of_gates_and_leave_none_held()
    {
        var gates = new TurnGates();
        var before = gates.Gates;
        for (var i = 0; i < 50_000; i++)
        {
            using var turn = await gates.EnterAsync("conversation-" + i, CancellationToken.None);
        }
        Assert.Equal(before, gates.Gates);
        Assert.Equal(0, gates.Held);
    }

    [Fact]
    public async Task A_held_conversation_waits_for_its_turn_and_the_gate_is_released_once()
    {
        var gates = new TurnGates();
        var first = await gates.EnterAsync("conv-a", CancellationToken.None);
        var second = gates.EnterAsync("conv-a", CancellationToken.None);
        Assert.False(second.IsCompleted);
        Assert.Equal(1, gates.Held);

        first.Dispose();
        first.Dispose(); // a second release must not open the gate for two turns
        Task<IDisposable> third;
        using (await second.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            third = gates.EnterAsync("conv-a", CancellationToken.None);
            Assert.False(third.IsCompleted);
            using var cancelled = new CancellationTokenSource();
            var abandoned = gates.EnterAsync("conv-a", cancelled.Token);
            await cancelled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
            Assert.Equal(1, gates.Held);
        }
        (await third.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();
        Assert.Equal(0, gates.Held);
    }
}
