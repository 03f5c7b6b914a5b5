using Microsoft.Extensions.Logging.Abstractions;
using PartnerBot.Api.Http;
using PartnerBot.Api.Identity;
using PartnerBot.Tests.Billing;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.ApiKeys;

public sealed class SqliteApiKeyStoreTests() : ApiKeyStoreTests(StoreKind.Sqlite);

[RequiresNode]
public sealed class CosmosApiKeyStoreTests() : ApiKeyStoreTests(StoreKind.Cosmos);

/// <summary>Keys, their owners' lists, revocation and "last used", on each store.</summary>
public abstract class ApiKeyStoreTests(StoreKind kind) : IAsyncLifetime
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private TestStore _store = null!;
    private ApiKeyStore _keys = null!;
    private ApiKeyUsage _usage = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync(kind);
        _keys = new ApiKeyStore(_store.Store, _clock);
        _usage = new ApiKeyUsage(_store.Store, _clock, NullLogger<ApiKeyUsage>.Instance);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [StoreFact]
    public async Task A_new_key_authenticates_and_is_listed_for_its_owner_only_without_the_key()
    {
        var created = await _keys.CreateAsync("u_ann", admin: false, "  CI\tpipeline \n", "ann@example.com");

        Assert.Matches("^pbk_[A-Za-z0-9_-]{43}$", created.Key);
        Assert.Equal(ApiKeyStore.KeyLength, created.Key.Length);
        var record = await _keys.FindAsync(created.Key);
        Assert.Equal("u_ann", record!.UserId);
        Assert.Equal([ApiRoles.Partner], record.Roles);
        var listed = Assert.Single(await _keys.ListAsync("u_ann"));
        Assert.Equal("CI pipeline", listed.Name);
        Assert.Equal(created.Record.KeyId, listed.KeyId);
        Assert.Equal("pbk_…" + created.Key[^4..], listed.Hint);
        Assert.Null(listed.LastUsedAt);
        Assert.Empty(await _keys.ListAsync("u_bob"));
        Assert.DoesNotContain(created.Key, StoreJson.ToBody(listed).ToJsonString());
    }

    [StoreFact]
    public async Task A_revoked_key_stops_authenticating_and_leaves_the_list()
    {
        var kept = await _keys.CreateAsync("u_ann", false, "kept", null);
        var revokedKey = await _keys.CreateAsync("u_ann", false, "old", null);

        var revoked = await _keys.RevokeAsync("u_ann", revokedKey.Record.KeyId);

        Assert.Equal("old", revoked!.Name);
        Assert.Null(await _keys.FindAsync(revokedKey.Key));
        Assert.NotNull(await _keys.FindAsync(kept.Key));
        Assert.Equal([kept.Record.KeyId], (await _keys.ListAsync("u_ann")).Select(k => k.KeyId));
        Assert.Null(await _keys.RevokeAsync("u_ann", revokedKey.Record.KeyId));
    }

    [StoreFact]
    public async Task Nobody_revokes_another_users_key()
    {
        var bobs = await _keys.CreateAsync("u_bob", false, "bob's", null);

        Assert.Null(await _keys.RevokeAsync("u_ann", bobs.Record.KeyId));
        Assert.Null(await _keys.RevokeAsync("u_ann", "../" + bobs.Record.KeyId));
        Assert.NotNull(await _keys.FindAsync(bobs.Key));
    }

    [StoreFact]
    public async Task A_user_holds_at_most_the_limit_of_keys()
    {
        for (var i = 0; i < ApiKeyStore.MaxKeysPerUser; i++) await _keys.CreateAsync("u_many", false, $"key {i}", null);

        await Assert.ThrowsAsync<ApiKeyLimitException>(() => _keys.CreateAsync("u_many", false, "one more", null));
        Assert.Equal(ApiKeyStore.MaxKeysPerUser, (await _keys.ListAsync("u_many")).Count);
        var someoneElse = await _keys.CreateAsync("u_other", false, null, null);
        Assert.NotNull(await _keys.FindAsync(someoneElse.Key));
    }

    [StoreFact]
    public async Task Last_used_is_written_at_most_once_a_minute_per_key()
    {
        var created = await _keys.CreateAsync("u_ann", false, "busy", null);
        var hash = ApiKeyStore.Hash(created.Key);
        var first = _clock.GetUtcNow();

        await _usage.RecordUseAsync(hash, created.Record);
        Assert.Equal(first, (await _keys.ListAsync("u_ann")).Single().LastUsedAt);

        _clock.Advance(TimeSpan.FromSeconds(40));
        for (var i = 0; i < 5; i++) await _usage.RecordUseAsync(hash, created.Record);
        Assert.Equal(first, (await _keys.ListAsync("u_ann")).Single().LastUsedAt);

        _clock.Advance(TimeSpan.FromSeconds(25));
        await _usage.RecordUseAsync(hash, created.Record);
        Assert.Equal(first.AddSeconds(65), (await _keys.ListAsync("u_ann")).Single().LastUsedAt);
    }

    [StoreFact]
    public async Task A_key_made_before_owner_lists_is_listed_once_it_is_used()
    {
        // The shape keys had before owners' lists: only the record under its hash.
        const string key = "pbk_AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHHIIIIJJJJKKK";
        var hash = ApiKeyStore.Hash(key);
        var record = new ApiKeyRecord("apikey", hash[..12], "u_legacy", [ApiRoles.Partner], "old laptop", null, _clock.GetUtcNow().AddDays(-30));
        await _store.Store.CreateAsync(ApiKeyStore.Container, hash, hash, StoreJson.ToBody(record));
        Assert.Empty(await _keys.ListAsync("u_legacy"));

        await _usage.RecordUseAsync(hash, (await _keys.FindAsync(key))!);

        var listed = Assert.Single(await _keys.ListAsync("u_legacy"));
        Assert.Equal("old laptop", listed.Name);
        Assert.Equal(_clock.GetUtcNow(), listed.LastUsedAt);
        Assert.NotNull(await _keys.RevokeAsync("u_legacy", listed.KeyId));
        Assert.Null(await _keys.FindAsync(key));
    }

    [Fact]
    public void Keys_in_text_are_recognised_and_masked_to_their_hint()
    {
        const string key = "pbk_AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHHIIIIJJJJKKK";
        Assert.True(ApiKeyStore.ContainsKey($"here it is: {key}!"));
        Assert.False(ApiKeyStore.ContainsKey("pbk_short"));
        Assert.Equal("here it is: pbk_…JKKK!", ApiKeyStore.MaskKeys($"here it is: {key}!"));
        Assert.Null(ApiKeyStore.NormalizeName(" \t "));
        Assert.Equal(ApiKeyStore.MaxNameLength, ApiKeyStore.NormalizeName(new string('x', 200))!.Length);
    }
}
