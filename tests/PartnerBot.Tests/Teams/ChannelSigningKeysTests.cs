using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PartnerBot.Bot.Channels.Teams;

namespace PartnerBot.Tests.Teams;

public sealed class ChannelSigningKeysTests : IDisposable
{
    private readonly ChannelIdentityServer _identity = new();
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private int MetadataReads => _identity.Server.LogEntries.Count(e => e.RequestMessage.Path.EndsWith("openidconfiguration"));

    private ServiceProvider Services() =>
        TeamsServices.Build(_identity, configure: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(_clock)));

    [Fact]
    public async Task Keys_are_cached_refreshed_for_an_unknown_kid_and_at_least_daily()
    {
        using var services = Services();
        var keys = services.GetRequiredService<ChannelSigningKeys>();

        var key = await keys.FindAsync(ChannelIdentityServer.TeamsKeyId, CancellationToken.None);
        await keys.FindAsync(ChannelIdentityServer.TeamsKeyId, CancellationToken.None);
        Assert.Equal(1, MetadataReads);
        Assert.Contains("msteams", key!.Endorsements);
        Assert.DoesNotContain("msteams", (await keys.FindAsync(ChannelIdentityServer.SlackOnlyKeyId, CancellationToken.None))!.Endorsements);

        // The first unknown kid refreshes at once; further unknown kids do not hammer the endpoint until the
        // minimum interval has passed since that refresh.
        Assert.Null(await keys.FindAsync("unknown-key", CancellationToken.None));
        Assert.Equal(2, MetadataReads);
        Assert.Null(await keys.FindAsync("unknown-key", CancellationToken.None));
        Assert.Null(await keys.FindAsync("another-unknown-key", CancellationToken.None));
        Assert.Equal(2, MetadataReads);
        _clock.Now += TimeSpan.FromMinutes(1);
        Assert.Null(await keys.FindAsync("another-unknown-key", CancellationToken.None));
        Assert.Equal(3, MetadataReads);

        // Known keys are re-read once a day.
        _clock.Now += TimeSpan.FromHours(25);
        await keys.FindAsync(ChannelIdentityServer.TeamsKeyId, CancellationToken.None);
        Assert.Equal(4, MetadataReads);
    }

    [Fact]
    public async Task A_token_signed_with_a_freshly_rotated_key_is_accepted_even_right_after_a_load()
    {
        using var services = Services();
        var validator = services.GetRequiredService<ChannelTokenValidator>();
        const string url = "https://smba.trafficmanager.net/amer/";
        async Task<string?> Failure(string token) => (await validator.ValidateTokenAsync("Bearer " + token, CancellationToken.None)).Failure;

        Assert.Null(await Failure(_identity.MintToken(url)));
        Assert.Equal(1, MetadataReads);

        // The channel rotates its keys a few seconds after we loaded them.
        var rotated = _identity.PublishKey("rotated-key", "msteams");
        _clock.Now += TimeSpan.FromSeconds(5);
        Assert.Null(await Failure(_identity.MintToken(url, keyId: "rotated-key", signWith: rotated)));
        Assert.Equal(2, MetadataReads);

        // Tokens naming kids nobody publishes are refused without a load each, until the interval has passed.
        _clock.Now += TimeSpan.FromSeconds(5);
        Assert.NotNull(await Failure(_identity.MintToken(url, keyId: "junk-1")));
        Assert.NotNull(await Failure(_identity.MintToken(url, keyId: "junk-2")));
        Assert.Equal(2, MetadataReads);
        _clock.Now += ChannelSigningKeys.MinRefreshInterval;
        Assert.NotNull(await Failure(_identity.MintToken(url, keyId: "junk-3")));
        Assert.Equal(3, MetadataReads);

        // The rotated key stays usable from the cache.
        Assert.Null(await Failure(_identity.MintToken(url, keyId: "rotated-key", signWith: rotated)));
        Assert.Equal(3, MetadataReads);
    }

    [Fact]
    public async Task Token_failures_name_the_failed_check()
    {
        using var services = Services();
        var validator = services.GetRequiredService<ChannelTokenValidator>();
        const string url = "https://smba.trafficmanager.net/amer/";

        async Task<string?> Failure(string token) => (await validator.ValidateTokenAsync("Bearer " + token, CancellationToken.None)).Failure;

        Assert.Null(await Failure(_identity.MintToken(url)));
        Assert.Contains("Audience", await Failure(_identity.MintToken(url, audience: "other")));
        Assert.Contains("Issuer", await Failure(_identity.MintToken(url, issuer: "https://evil.example.com")));
        Assert.Contains("Lifetime", await Failure(_identity.MintToken(url, notBefore: DateTime.UtcNow.AddHours(-2), expires: DateTime.UtcNow.AddMinutes(-10))));
        Assert.Contains("RS256", await Failure(ChannelIdentityServer.MintUnsignedToken(url)));
        Assert.Equal("no bearer token", (await validator.ValidateTokenAsync(null, CancellationToken.None)).Failure);

        var (identity, _) = await validator.ValidateTokenAsync("Bearer " + _identity.MintToken(url), CancellationToken.None);
        Assert.Null(ChannelTokenValidator.CheckActivity(identity!, "msteams", url.ToUpperInvariant()));
        Assert.Contains("endorsed", ChannelTokenValidator.CheckActivity(identity!, "slack", url));
        Assert.Contains("serviceurl", ChannelTokenValidator.CheckActivity(identity!, "msteams", "https://smba.trafficmanager.net/emea/"));
    }

    public void Dispose() => _identity.Dispose();
}
