using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>A channel token that passed signature, issuer, audience and lifetime checks.</summary>
public sealed record ChannelIdentity(ChannelSigningKey SigningKey, string? ServiceUrlClaim);

/// <summary>
/// Validates the bearer token the Bot Framework channel puts on every activity (PROTOCOLS 3.4):
/// RS256 only, issuer, audience = MicrosoftAppId, 5 minutes of clock skew, then — once the activity is read —
/// the signing key's endorsement of the activity's channel and the <c>serviceurl</c> claim.
/// </summary>
public sealed class ChannelTokenValidator(ChannelSigningKeys keys, IOptions<BotFrameworkOptions> options, TimeProvider time)
{
    internal const string ServiceUrlClaim = "serviceurl";
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>Checks the token itself; returns null (with the reason) when it is not acceptable.</summary>
    public async Task<(ChannelIdentity? Identity, string? Failure)> ValidateTokenAsync(string? authorizationHeader, CancellationToken ct)
    {
        const string prefix = "Bearer ";
        if (string.IsNullOrEmpty(authorizationHeader) || !authorizationHeader.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            return (null, "no bearer token");
        var token = authorizationHeader[prefix.Length..].Trim();
        if (!_handler.CanReadToken(token)) return (null, "the token is not a JWT");

        JsonWebToken jwt;
        try { jwt = _handler.ReadJsonWebToken(token); }
        catch (ArgumentException) { return (null, "the token is not a JWT"); }
        if (jwt.Alg != SecurityAlgorithms.RsaSha256) return (null, $"algorithm '{jwt.Alg}' is not RS256");

        var key = await keys.FindAsync(jwt.Kid, ct);
        if (key is null) return (null, $"unknown signing key '{jwt.Kid}'");

        var o = options.Value;
        var parameters = new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidIssuers = o.ValidIssuers,
            ValidAudience = o.MicrosoftAppId,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.FromMinutes(5),
            IssuerSigningKey = key.Key,
            TryAllIssuerSigningKeys = false,
            LifetimeValidator = ValidateLifetime,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
            return (null, result.Exception?.GetType().Name ?? "invalid token");

        var serviceUrl = result.Claims.TryGetValue(ServiceUrlClaim, out var s) ? s as string : null;
        return (new ChannelIdentity(key, serviceUrl), null);
    }

    /// <summary>The checks that need the activity: endorsement of its channel and its service URL.</summary>
    public static string? CheckActivity(ChannelIdentity identity, string? channelId, string? serviceUrl)
    {
        if (string.IsNullOrEmpty(channelId) || !identity.SigningKey.Endorsements.Contains(channelId))
            return $"the signing key is not endorsed for channel '{channelId}'";
        if (string.IsNullOrEmpty(identity.ServiceUrlClaim) ||
            !string.Equals(identity.ServiceUrlClaim, serviceUrl, StringComparison.OrdinalIgnoreCase))
            return "the serviceurl claim does not match the activity's serviceUrl";
        return null;
    }

    // Uses the injected clock so lifetime checks are testable; same 5-minute skew as the SDK.
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters p)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (expires is null) return false;
        if (notBefore is { } nbf && nbf > now + p.ClockSkew) return false;
        return expires.Value >= now - p.ClockSkew;
    }
}
