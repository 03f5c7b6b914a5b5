using System.Collections.Concurrent;
using System.Threading.Channels;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Tests.Slack;

/// <summary>The observation point of the channel tests: records every turn and runs an optional behaviour.</summary>
public sealed class RecordingChatBot(Func<IncomingTurn, ITurnResponder, CancellationToken, Task>? behaviour = null) : IChatBot
{
    private readonly Channel<IncomingTurn> arrivals = Channel.CreateUnbounded<IncomingTurn>();

    public ConcurrentQueue<IncomingTurn> Turns { get; } = new();

    public async Task OnTurnAsync(IncomingTurn turn, ITurnResponder responder, CancellationToken ct = default)
    {
        Turns.Enqueue(turn);
        arrivals.Writer.TryWrite(turn);
        if (behaviour is not null) await behaviour(turn, responder, ct);
    }

    /// <summary>The next turn to arrive (fails the test after 10 s).</summary>
    public async Task<IncomingTurn> NextTurnAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await arrivals.Reader.ReadAsync(timeout.Token);
    }
}

/// <summary>A clock stopped at one instant.</summary>
public sealed class FrozenTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
