using System.Collections.Concurrent;
using PartnerBot.Bot.Channels.BotFramework;

namespace PartnerBot.Bot.Channels.DirectLine;

/// <summary>
/// Bot activities that show a secret (a new API key): the transcript stores a copy without it, and the version with
/// the secret waits here, in this process's memory only, for the conversation's next read. It is handed out once,
/// then the stored copy is all that is left; unread after <see cref="Lifetime"/> it is dropped.
/// </summary>
public sealed class DirectLineSecretDeliveries(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<(string ConversationId, long Seq), (Activity Activity, DateTimeOffset Expires)> _waiting = new();

    public void Hold(string conversationId, long seq, Activity withSecret)
    {
        var now = time.GetUtcNow();
        foreach (var (key, entry) in _waiting)
            if (entry.Expires <= now) _waiting.TryRemove(key, out _);
        _waiting[(conversationId, seq)] = (withSecret, now + Lifetime);
    }

    /// <summary>The held version of the activity at <paramref name="seq"/>, once; null when there is none (any more).</summary>
    public Activity? Take(string conversationId, long seq) =>
        _waiting.TryRemove((conversationId, seq), out var entry) && entry.Expires > time.GetUtcNow() ? entry.Activity : null;
}
