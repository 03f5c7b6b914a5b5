using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Identity;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.ApiKeys;

/// <summary>What an operator may type for <c>apikey create --user</c>, resolved against real users in SQLite.</summary>
public sealed class UserReferencesTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private UserDirectory _users = null!;
    private UserReferences _references = null!;
    private PlatformUser _ann = null!, _bob = null!, _carol = null!, _dave = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync(StoreKind.Sqlite);
        _users = new UserDirectory(_store.Store, Options.Create(new PeopleOptions()), TimeProvider.System, NullLogger<UserDirectory>.Instance);
        _references = new UserReferences(_users);
        _ann = await _users.ResolveAsync("directline", "dl-ann-7", "Ann", "ann@example.com", ["partner"]);
        _ann = await _users.ResolveAsync("slack", "T1:U42", "Ann", "ann@example.com", ["partner"]);
        _bob = await _users.ResolveAsync("slack", "T2:U42", "Bob", "bob@example.com", ["partner"]);
        _carol = await _users.ResolveAsync("msteams", "5c0f2b7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", "Carol", null, ["partner"]);
        _dave = await _users.ResolveAsync("slack", "T1:U77", "Dave", null, ["partner"]);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private async Task<PlatformUser> FoundAsync(string reference) =>
        Assert.IsType<UserLookup.Found>(await _references.ResolveAsync(reference)).User;

    [Fact]
    public async Task Each_exact_form_names_its_user()
    {
        Assert.Equal(_ann.Id, (await FoundAsync(_ann.Id)).Id);
        Assert.Equal(_ann.Id, (await FoundAsync("ann@example.com")).Id);
        Assert.Equal(_bob.Id, (await FoundAsync("BOB@example.com")).Id);
        Assert.Equal(_ann.Id, (await FoundAsync("directline:dl-ann-7")).Id);
        Assert.Equal(_ann.Id, (await FoundAsync("slack:T1:U42")).Id);
        Assert.Equal(_bob.Id, (await FoundAsync("slack:T2:U42")).Id);
        Assert.Equal(_carol.Id, (await FoundAsync("msteams:5c0f2b7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f")).Id);
        Assert.Equal(_carol.Id, (await FoundAsync("  msteams:5c0f2b7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f ")).Id);
    }

    [Theory]
    [InlineData("dl-ann-7", "ann")]
    [InlineData("5c0f2b7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", "carol")]
    [InlineData("5C0F2B7E-1D2A-4C3B-9E8F-0A1B2C3D4E5F", "carol")]
    [InlineData("T1:U42", "ann")]
    [InlineData("U77", "dave")]
    [InlineData("slack:U77", "dave")]
    public async Task A_bare_channel_id_that_only_one_user_has_names_that_user(string reference, string who)
    {
        var expected = who switch { "ann" => _ann, "carol" => _carol, _ => _dave };
        Assert.Equal(expected.Id, (await FoundAsync(reference)).Id);
    }

    [Theory]
    [InlineData("U42")]
    [InlineData("slack:U42")]
    public async Task A_bare_id_two_users_share_is_ambiguous_and_names_both_candidates(string reference)
    {
        var ambiguous = Assert.IsType<UserLookup.Ambiguous>(await _references.ResolveAsync(reference));

        Assert.Equal(new[] { _ann.Id, _bob.Id }.Order(StringComparer.Ordinal), ambiguous.Candidates.Select(c => c.User.Id).Order(StringComparer.Ordinal));
        Assert.Contains(ambiguous.Candidates, c => c.MatchedIdentity == "slack:T1:U42");
        Assert.Contains(ambiguous.Candidates, c => c.MatchedIdentity == "slack:T2:U42");
    }

    [Theory]
    [InlineData("u_doesnotexist")]
    [InlineData("nobody@example.com")]
    [InlineData("slack:T9:U42")]
    [InlineData("msteams:00000000-0000-0000-0000-000000000000")]
    [InlineData("U4")]
    [InlineData("   ")]
    public async Task An_unknown_reference_is_unknown(string reference)
    {
        Assert.IsType<UserLookup.Unknown>(await _references.ResolveAsync(reference));
    }
}
