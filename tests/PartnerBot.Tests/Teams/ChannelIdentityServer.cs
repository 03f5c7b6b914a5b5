using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace PartnerBot.Tests.Teams;

/// <summary>
/// Stands in for login.botframework.com and login.microsoftonline.com on 127.0.0.1: OpenID metadata, a JWKS with
/// endorsements, and the client-credentials token endpoint. Also mints channel tokens like Teams sends.
/// </summary>
public sealed class ChannelIdentityServer : IDisposable
{
    public const string AppId = "3f2c8a1e-5b7d-4c1e-9a2b-123456789abc";
    public const string AppPassword = "test-secret-value";
    public const string Issuer = "https://api.botframework.com";
    public const string TeamsKeyId = "teams-key";
    public const string SlackOnlyKeyId = "slack-only-key";
    public const string BotAccessToken = "bot-access-token-1";

    private readonly RSA _teamsKey = RSA.Create(2048);
    private readonly RSA _slackOnlyKey = RSA.Create(2048);
    private readonly List<JsonObject> _rotatedKeys = [];
    private readonly List<RSA> _ownedKeys = [];

    public WireMockServer Server { get; } = WireMockServer.Start();
    public string BaseUrl => Server.Urls[0].Replace("localhost", "127.0.0.1");
    public string MetadataUrl => BaseUrl + "/v1/.well-known/openidconfiguration";
    public string LoginUrl => BaseUrl + "/botframework.com";

    public ChannelIdentityServer()
    {
        Server.Given(Request.Create().WithPath("/v1/.well-known/openidconfiguration").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(new JsonObject
            {
                ["issuer"] = Issuer,
                ["authorization_endpoint"] = "https://invalid.botframework.com",
                ["jwks_uri"] = BaseUrl + "/v1/.well-known/keys",
                ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
                ["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt"),
            }.ToJsonString()));
        Server.Given(Request.Create().WithPath("/v1/.well-known/keys").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(_ => KeySet()));
        Server.Given(Request.Create().WithPath("/botframework.com/oauth2/v2.0/token").UsingPost())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(new JsonObject
            {
                ["token_type"] = "Bearer",
                ["expires_in"] = 3599,
                ["ext_expires_in"] = 3599,
                ["access_token"] = BotAccessToken,
            }.ToJsonString()));
    }

    /// <summary>Publishes one more signing key, as the channel does when it rotates keys; tokens signed with it name <paramref name="kid"/>.</summary>
    public RSA PublishKey(string kid, params string[] endorsements)
    {
        var rsa = RSA.Create(2048);
        lock (_rotatedKeys)
        {
            _ownedKeys.Add(rsa);
            _rotatedKeys.Add(Jwk(rsa, kid, endorsements));
        }
        return rsa;
    }

    private string KeySet()
    {
        var keys = new JsonArray(Jwk(_teamsKey, TeamsKeyId, "msteams", "emulator", "webchat"), Jwk(_slackOnlyKey, SlackOnlyKeyId, "slack"));
        lock (_rotatedKeys)
            foreach (var key in _rotatedKeys) keys.Add(key.DeepClone());
        return new JsonObject { ["keys"] = keys }.ToJsonString();
    }

    public int TokenRequests => Server.LogEntries.Count(e => e.RequestMessage.Path.EndsWith("/oauth2/v2.0/token"));

    /// <summary>A token as the channel sends it, with optional deviations for negative tests.</summary>
    public string MintToken(string serviceUrl, string? keyId = TeamsKeyId, RSA? signWith = null, string? audience = AppId,
        string issuer = Issuer, DateTime? notBefore = null, DateTime? expires = null)
    {
        var key = new RsaSecurityKey(signWith ?? (keyId == SlackOnlyKeyId ? _slackOnlyKey : _teamsKey)) { KeyId = keyId };
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            NotBefore = notBefore ?? now.AddMinutes(-1),
            IssuedAt = notBefore ?? now.AddMinutes(-1),
            Expires = expires ?? now.AddHours(1),
            Claims = new Dictionary<string, object> { ["serviceurl"] = serviceUrl },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with otherwise valid claims.</summary>
    public static string MintUnsignedToken(string serviceUrl)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes($$"""{"alg":"none","typ":"JWT","kid":"{{TeamsKeyId}}"}"""));
        var payload = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(new JsonObject
        {
            ["iss"] = Issuer, ["aud"] = AppId, ["nbf"] = now - 60, ["exp"] = now + 3600, ["serviceurl"] = serviceUrl,
        }.ToJsonString()));
        return $"{header}.{payload}.";
    }

    private static JsonObject Jwk(RSA rsa, string kid, params string[] endorsements)
    {
        var p = rsa.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = kid,
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            ["endorsements"] = new JsonArray(endorsements.Select(e => (JsonNode)e).ToArray()),
        };
    }

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
        _teamsKey.Dispose();
        _slackOnlyKey.Dispose();
        foreach (var key in _ownedKeys) key.Dispose();
    }
}
