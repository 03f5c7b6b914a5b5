using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Tests.Slack;

/// <summary>
/// The Slack user directory remembers at most <c>Slack:UserCacheSize</c> users on the real host, against the WireMock
/// stand-in for the Web API: past it the least recently used user is forgotten (and asked about again), the others stay.
/// </summary>
public sealed class SlackUserDirectoryBoundTests : IAsyncLifetime
{
    private readonly FakeSlackApi _slack = new();
    private readonly string _database = SlackTestData.TempDatabase();
    private SlackTestHost _host = null!;

    public async Task InitializeAsync() => _host = await SlackTestHost.StartAsync(_slack.ApiBaseUrl, _database, new RecordingChatBot(),
        settings: new Dictionary<string, string?> { ["Slack:UserCacheSize"] = "3" });

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _slack.Dispose();
    }

    private int LookupsOf(string userId) => _slack.Calls("users.info").Count(c => (string?)c.Body?["user"] == userId);

    private Task<ChatIdentity> EnrichAsync(SlackUserDirectory directory, string userId) =>
        directory.EnrichAsync(new ChatIdentity("slack", "slack:T111:" + userId, null), userId, CancellationToken.None);

    [Fact]
    public async Task Past_its_size_the_least_recently_used_user_is_forgotten()
    {
        var directory = _host.Services.GetRequiredService<SlackUserDirectory>();
        foreach (var user in new[] { "U1", "U2", "U3" }) Assert.Equal("Prim", (await EnrichAsync(directory, user)).DisplayName);
        Assert.Equal(3, directory.CachedUsers);

        await EnrichAsync(directory, "U1"); // remembered: no second lookup, and now the most recently used
        Assert.Equal(1, LookupsOf("U1"));

        await EnrichAsync(directory, "U4"); // one too many: U2, the least recently used, goes
        Assert.Equal(3, directory.CachedUsers);

        foreach (var user in new[] { "U1", "U3", "U4" }) await EnrichAsync(directory, user);
        Assert.Equal((1, 1, 1), (LookupsOf("U1"), LookupsOf("U3"), LookupsOf("U4")));
        await EnrichAsync(directory, "U2");
        Assert.Equal(2, LookupsOf("U2")); // forgotten, so asked again
        Assert.Equal(3, directory.CachedUsers);
    }

    [Fact]
    public async Task Many_distinct_users_never_grow_the_directory_past_its_size()
    {
        var directory = _host.Services.GetRequiredService<SlackUserDirectory>();
        for (var i = 0; i < 40; i++) await EnrichAsync(directory, "UMANY" + i);
        Assert.Equal(3, directory.CachedUsers);
        Assert.Equal(40, _slack.Calls("users.info").Count);
    }

    [Fact]
    public async Task A_size_out_of_range_stops_start_up_naming_the_key()
    {
        var e = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => SlackTestHost.StartAsync(
            _slack.ApiBaseUrl, SlackTestData.TempDatabase(), new RecordingChatBot(),
            settings: new Dictionary<string, string?> { ["Slack:UserCacheSize"] = "0" }));
        Assert.Contains("Slack:UserCacheSize", e.Message);
    }
}
