using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>A signing key published by the channel, with the channel ids it is endorsed for.</summary>
public sealed record ChannelSigningKey(string KeyId, JsonWebKey Key, IReadOnlySet<string> Endorsements);

/// <summary>
/// The channel's token-signing keys from the OpenID metadata at <c>ToBotFromChannelOpenIdMetadataUrl</c>.
/// Keys are cached for a day and re-read when a token names an unknown <c>kid</c>. As with Microsoft's
/// ConfigurationManager, the first such request is honoured at once (the channel has just rotated its keys, however
/// recently they were loaded); further ones wait until 30 s have passed since the last one, so junk tokens cannot
/// make us hammer the metadata endpoint. <c>endorsements</c> is not a standard JWK member, so it is read from the
/// raw JWKS JSON.
/// </summary>
public sealed class ChannelSigningKeys(IHttpClientFactory httpFactory, IOptions<BotFrameworkOptions> options, BotUrlPolicy urls,
    TimeProvider time, ILogger<ChannelSigningKeys> log)
{
    public const string HttpClientName = "PartnerBot.Teams.ChannelKeys";

    internal static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);
    internal static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private volatile IReadOnlyDictionary<string, ChannelSigningKey> _keys = new Dictionary<string, ChannelSigningKey>();
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _lastRequestedRefresh = DateTimeOffset.MinValue;

    /// <summary>Finds a key by id, refreshing the cache when it is stale or does not know the id.</summary>
    public async Task<ChannelSigningKey?> FindAsync(string? keyId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(keyId)) return null;
        var now = time.GetUtcNow();
        if (IsStale(now) || (!_keys.ContainsKey(keyId) && MayRequestRefresh(now)))
            await RefreshAsync(keyId, ct);
        return _keys.GetValueOrDefault(keyId);
    }

    private bool IsStale(DateTimeOffset now) => now - _loadedAt > MaxAge;

    /// <summary>An unknown kid may ask for a load unless another unknown kid asked within the minimum interval.</summary>
    private bool MayRequestRefresh(DateTimeOffset now) => now - _lastRequestedRefresh >= MinRefreshInterval;

    private async Task RefreshAsync(string keyId, CancellationToken ct)
    {
        await _refreshLock.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            // Another caller may have refreshed while we waited.
            var stale = IsStale(now);
            if (!stale && (_keys.ContainsKey(keyId) || !MayRequestRefresh(now))) return;
            if (!stale) _lastRequestedRefresh = now;
            try
            {
                _keys = await LoadAsync(ct);
                _loadedAt = now;
                log.LogInformation("Loaded {Count} channel signing keys", _keys.Count);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Keep serving the keys we have; try again once the minimum interval has passed.
                _loadedAt = now - MaxAge + MinRefreshInterval;
                log.LogWarning("Could not load channel signing keys: {Reason}", e.Message);
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private async Task<IReadOnlyDictionary<string, ChannelSigningKey>> LoadAsync(CancellationToken ct)
    {
        var http = httpFactory.CreateClient(HttpClientName);
        var metadataUrl = new Uri(options.Value.ToBotFromChannelOpenIdMetadataUrl);
        using var metadata = JsonDocument.Parse(await http.GetStringAsync(metadataUrl, ct));
        var jwksUri = metadata.RootElement.TryGetProperty("jwks_uri", out var j) && j.ValueKind == JsonValueKind.String
            ? j.GetString() : null;
        if (!Uri.TryCreate(jwksUri, UriKind.Absolute, out var jwks) || !urls.IsAllowed(jwks))
            throw new InvalidOperationException("the OpenID metadata has no acceptable jwks_uri");

        using var keySet = JsonDocument.Parse(await http.GetStringAsync(jwks, ct));
        var keys = new Dictionary<string, ChannelSigningKey>(StringComparer.Ordinal);
        if (!keySet.RootElement.TryGetProperty("keys", out var array) || array.ValueKind != JsonValueKind.Array)
            throw new InvalidOperationException("the JWKS has no keys array");
        foreach (var raw in array.EnumerateArray())
        {
            var key = new JsonWebKey(raw.GetRawText());
            if (string.IsNullOrEmpty(key.Kid) || key.Kty != JsonWebAlgorithmsKeyTypes.RSA) continue;
            var endorsements = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (raw.TryGetProperty("endorsements", out var e) && e.ValueKind == JsonValueKind.Array)
                foreach (var item in e.EnumerateArray())
                    if (item.ValueKind == JsonValueKind.String) endorsements.Add(item.GetString()!);
            keys[key.Kid] = new ChannelSigningKey(key.Kid, key, endorsements);
        }
        return keys;
    }
}
