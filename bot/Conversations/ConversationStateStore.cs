using System.Text.Json;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bot.Conversations;

/// <summary>What the bot remembers about one conversation (one person's part of it, in a shared one) between turns.</summary>
public sealed class ConversationState
{
    public List<DialogInstance> Stack { get; set; } = [];

    /// <summary>Ids of the latest inputs processed, so a redelivered activity is processed once.</summary>
    public List<string> RecentInputs { get; set; } = [];

    /// <summary>The channel address of the conversation, for proactive messages.</summary>
    public System.Text.Json.Nodes.JsonObject? Address { get; set; }
}

/// <summary>
/// Loads and saves <see cref="ConversationState"/> with its ETag, so two simultaneous turns of one conversation
/// cannot overwrite each other's dialog stack.
/// </summary>
public sealed class ConversationStateStore(IDocumentStore store)
{
    public const string Container = "conversations";
    private const int RecentInputsKept = 50;
    private static readonly DocumentOptions Retention = new(TimeSpan.FromDays(30));

    public sealed record Loaded(ConversationState State, string? ETag);

    /// <summary>The state of a one-to-one conversation.</summary>
    public Task<Loaded> LoadAsync(string conversationKey, CancellationToken ct) => LoadAsync(ConversationStateKey.Of(conversationKey), ct);

    public Task SaveAsync(string conversationKey, ConversationState state, string? etag, CancellationToken ct) =>
        SaveAsync(ConversationStateKey.Of(conversationKey), state, etag, ct);

    public async Task<Loaded> LoadAsync(ConversationStateKey key, CancellationToken ct)
    {
        var doc = await store.ReadAsync(Container, key.ConversationKey, key.Id, ct);
        if (doc is null) return new Loaded(new ConversationState(), null);
        var state = doc.Body.Deserialize(DialogJson.Context.ConversationState) ?? new ConversationState();
        return new Loaded(state, doc.ETag);
    }

    /// <summary>Saves the state; <see cref="StorageErrorKind.PreconditionFailed"/> or Conflict when another turn saved first.</summary>
    public async Task SaveAsync(ConversationStateKey key, ConversationState state, string? etag, CancellationToken ct)
    {
        if (state.RecentInputs.Count > RecentInputsKept)
            state.RecentInputs.RemoveRange(0, state.RecentInputs.Count - RecentInputsKept);
        var body = JsonSerializer.SerializeToNode(state, DialogJson.Context.ConversationState)!.AsObject();
        if (etag is null) await store.CreateAsync(Container, key.ConversationKey, key.Id, body, Retention, ct);
        else await store.ReplaceAsync(Container, key.ConversationKey, key.Id, body, etag, Retention, ct);
    }
}
