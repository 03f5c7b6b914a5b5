using System.Security.Cryptography;
using System.Text;

namespace PartnerBot.Bot.Conversations;

/// <summary>
/// Where one dialog state lives. A one-to-one conversation has one; in a conversation several people share (a Slack
/// channel, a Teams group chat or channel) each person has their own, per thread where the channel keeps threads
/// under one conversation id.
/// </summary>
/// <param name="ConversationKey">The conversation (the storage partition, so one conversation's states stay together).</param>
/// <param name="Id">The state's id within the conversation.</param>
public sealed record ConversationStateKey(string ConversationKey, string Id)
{
    public const string ConversationStateId = "dialog";
    private const int MaxIdLength = 255;

    /// <summary>The state of a whole (one-to-one) conversation.</summary>
    public static ConversationStateKey Of(string conversationKey) => new(conversationKey, ConversationStateId);

    /// <summary>The state <paramref name="turn"/> works on.</summary>
    public static ConversationStateKey For(IncomingTurn turn)
    {
        if (!turn.IsGroupConversation) return Of(turn.ConversationKey);
        var id = $"{ConversationStateId}:{Uri.EscapeDataString(OwnerKey(turn.From))}";
        if (turn.Thread is { Length: > 0 } thread) id += ":thread:" + Uri.EscapeDataString(thread);
        // Document ids are limited; a very long channel user id is replaced by its hash, which stays unique.
        if (id.Length > MaxIdLength) id = ConversationStateId + ":h:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
        return new ConversationStateKey(turn.ConversationKey, id);
    }

    /// <summary>The key a person's buttons carry in a shared conversation: channel and channel user id.</summary>
    public static string OwnerKey(ChatIdentity identity) => $"{identity.Channel}:{identity.UserId}";

    public override string ToString() => Id == ConversationStateId ? ConversationKey : $"{ConversationKey} ({Id})";
}
