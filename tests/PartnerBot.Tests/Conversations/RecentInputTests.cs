using PartnerBot.Bot.Conversations;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Conversations;

/// <summary>A state remembers the inputs it processed by short fingerprints, and still knows the raw ids an older state kept.</summary>
public sealed class RecentInputTests : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync(StoreKind.Sqlite);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_processed_input_is_known_after_a_save_by_its_fingerprint_and_not_by_its_raw_id()
    {
        var states = new ConversationStateStore(_store.Store, TimeProvider.System);
        var key = ConversationStateKey.Of("msteams:19:abc@thread.tacv2");
        const string activityId = "f:1764746400123-c2F0dXJkYXktbW9ybmluZy1kZXBsb3ktb2YtdGhlLWNoZWNrb3V0LW1vZHVsZQ";

        var entered = await states.EnterAsync(key, CancellationToken.None);
        Assert.False(entered.State.HasProcessed(activityId));
        entered.State.MarkProcessed(activityId);
        await states.SaveAsync(key, entered.State, entered.ETag, CancellationToken.None);

        var loaded = await states.LoadAsync(key, CancellationToken.None);
        Assert.True(loaded.State.HasProcessed(activityId));
        Assert.False(loaded.State.HasProcessed(activityId + "x"));
        var kept = Assert.Single(loaded.State.RecentInputs);
        Assert.Equal(12, kept.Length);
        Assert.DoesNotContain(activityId, (await _store.Store.ReadAsync(ConversationStateStore.Container, key.ConversationKey, key.Id))!.Body.ToJsonString());
    }

    [Fact]
    public void Raw_ids_of_a_state_saved_before_fingerprints_are_still_recognised()
    {
        var state = new ConversationState { RecentInputs = ["event-Ev0LEGACY1", "1764746400999"] };
        Assert.True(state.HasProcessed("event-Ev0LEGACY1"));
        Assert.True(state.HasProcessed("1764746400999"));
        Assert.False(state.HasProcessed("event-Ev0LEGACY2"));
    }

    [Fact]
    public void Fingerprints_are_url_safe_and_differ_across_many_ids_including_long_and_non_ascii_ones()
    {
        var ids = Enumerable.Range(0, 20_000).Select(i => $"event-Ev{i:D8}").Append(new string('x', 600)).Append("täst-ünïcode-✓").ToList();
        var prints = ids.Select(ConversationState.InputFingerprint).ToList();
        Assert.Equal(ids.Count, prints.Distinct(StringComparer.Ordinal).Count());
        Assert.All(prints, p => Assert.Matches("^[A-Za-z0-9_-]{12}$", p));
        Assert.Equal(prints[^1], ConversationState.InputFingerprint("täst-ünïcode-✓"));
    }
}
