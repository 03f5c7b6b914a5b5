using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>
/// The bot's own access token for Connector calls: OAuth2 client credentials against
/// <c>ToChannelFromBotLoginUrl</c> (the tenant's authority for single-tenant bots), cached until five minutes before it expires.
/// With no MicrosoftAppId there is no token (local Emulator mode).
/// </summary>
public sealed class BotTokenProvider(IHttpClientFactory httpFactory, IOptions<BotFrameworkOptions> options, TimeProvider time, ILogger<BotTokenProvider> log)
{
    public const string HttpClientName = "PartnerBot.Teams.Login";

    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _lock = new(1, 1);
    private (string Token, DateTimeOffset RefreshAt)? _cached;

    public async Task<string?> GetTokenAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (o.IsAnonymous) return null;
        if (_cached is { } c && time.GetUtcNow() < c.RefreshAt) return c.Token;

        await _lock.WaitAsync(ct);
        try
        {
            if (_cached is { } again && time.GetUtcNow() < again.RefreshAt) return again.Token;
            using var request = new HttpRequestMessage(HttpMethod.Post, o.TokenEndpoint)
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials",
                    ["client_id"] = o.MicrosoftAppId!,
                    ["client_secret"] = o.MicrosoftAppPassword ?? "",
                    ["scope"] = o.OAuthScope,
                }),
            };
            using var response = await httpFactory.CreateClient(HttpClientName).SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                // The body may echo request details; log only the status.
                log.LogWarning("The token endpoint answered {Status}", (int)response.StatusCode);
                throw new ConnectorException((int)response.StatusCode, "TokenRequestFailed", "Could not obtain the bot's access token.");
            }
            var body = await response.Content.ReadFromJsonAsync(TeamsJsonContext.Default.TokenResponse, ct)
                ?? throw new ConnectorException(502, "TokenRequestFailed", "The token endpoint returned no token.");
            if (string.IsNullOrEmpty(body.AccessToken))
                throw new ConnectorException(502, "TokenRequestFailed", "The token endpoint returned no token.");
            var lifetime = TimeSpan.FromSeconds(Math.Max(body.ExpiresIn, 60));
            var refreshAt = time.GetUtcNow() + (lifetime > RefreshMargin * 2 ? lifetime - RefreshMargin : lifetime / 2);
            _cached = (body.AccessToken, refreshAt);
            return body.AccessToken;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Forgets the cached token (after the Connector rejected it).</summary>
    public void Invalidate() => _cached = null;
}

public sealed record TokenResponse(
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("access_token")] string? AccessToken);
