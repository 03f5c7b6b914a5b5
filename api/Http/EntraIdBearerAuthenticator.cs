using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace PartnerBot.Api.Http;

/// <summary>
/// Optional Entra ID (Azure AD) bearer tokens for the REST API, on when <c>Api:EntraId:Authority</c> and
/// <c>Api:EntraId:Audience</c> are set: RS256, issuer and signing keys from the authority's OpenID metadata
/// (<c>Api:EntraId:MetadataAddress</c> overrides where it is read), audience, lifetime. The user id is the
/// <c>oid</c> claim (else <c>sub</c>); app roles come from <c>roles</c>, and <c>Admins:Emails</c> also grants admin.
/// </summary>
public sealed class EntraIdBearerAuthenticator : IBearerTokenAuthenticator
{
    private readonly IConfiguration _configuration;
    private readonly ILogger<EntraIdBearerAuthenticator> _logger;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly Lazy<ConfigurationManager<OpenIdConnectConfiguration>?> _metadata;

    public EntraIdBearerAuthenticator(IConfiguration configuration, IHostEnvironment environment, ILogger<EntraIdBearerAuthenticator> logger)
    {
        _configuration = configuration;
        _logger = logger;
        _metadata = new Lazy<ConfigurationManager<OpenIdConnectConfiguration>?>(() =>
        {
            if (!IsConfigured) return null;
            var address = MetadataAddress;
            var loopbackHttp = Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp
                               && (uri.IsLoopback || IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip));
            var retriever = new HttpDocumentRetriever { RequireHttps = !(environment.IsDevelopment() && loopbackHttp) };
            return new ConfigurationManager<OpenIdConnectConfiguration>(address, new OpenIdConnectConfigurationRetriever(), retriever);
        });
    }

    public string Scheme => "EntraId";

    public bool IsConfigured => Authority.Length > 0 && Audience.Length > 0;

    private string Authority => _configuration["Api:EntraId:Authority"] ?? "";
    private string Audience => _configuration["Api:EntraId:Audience"] ?? "";

    private string MetadataAddress => _configuration["Api:EntraId:MetadataAddress"] is { Length: > 0 } address
        ? address
        : Authority.TrimEnd('/') + "/.well-known/openid-configuration";

    public async Task<BearerIdentity?> AuthenticateAsync(string token, CancellationToken ct)
    {
        if (_metadata.Value is not { } metadata || !_handler.CanReadToken(token)) return null;
        OpenIdConnectConfiguration openId;
        try
        {
            openId = await metadata.GetConfigurationAsync(ct);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException)
        {
            _logger.LogWarning(e, "Entra ID metadata could not be read from {Address}; bearer tokens are refused.", MetadataAddress);
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidIssuer = openId.Issuer,
            ValidAudience = Audience,
            IssuerSigningKeys = openId.SigningKeys,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.FromMinutes(5),
        });
        if (!result.IsValid)
        {
            _logger.LogInformation("Refused an Entra ID bearer token: {Reason}", result.Exception?.GetType().Name ?? "invalid");
            return null;
        }

        var claims = result.Claims;
        var userId = Text(claims, "oid") ?? Text(claims, "sub");
        if (string.IsNullOrEmpty(userId)) return null;
        var email = Text(claims, "email") ?? Text(claims, "preferred_username") ?? Text(claims, "upn");
        var roles = Roles(claims).ToList();
        var admins = _configuration.GetSection("Admins:Emails").Get<string[]>() ?? [];
        if (email is not null && admins.Contains(email, StringComparer.OrdinalIgnoreCase) && !roles.Contains("admin")) roles.Add("admin");
        return new BearerIdentity(userId, email, roles);
    }

    private static string? Text(IDictionary<string, object> claims, string name) =>
        claims.TryGetValue(name, out var value) ? value as string ?? value?.ToString() : null;

    private static IEnumerable<string> Roles(IDictionary<string, object> claims)
    {
        if (!claims.TryGetValue("roles", out var value)) return [];
        return value switch
        {
            string single => [single],
            IEnumerable<object> many => many.Select(r => r.ToString()!).Where(r => r.Length > 0),
            JsonElement { ValueKind: JsonValueKind.Array } array => array.EnumerateArray().Select(e => e.GetString() ?? "").Where(r => r.Length > 0),
            _ => [],
        };
    }
}
