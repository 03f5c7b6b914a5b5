using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PartnerBot.Api.Http;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace PartnerBot.Tests.Api;

/// <summary>Entra ID bearer tokens checked against OpenID metadata and keys served by WireMock.Net on loopback.</summary>
public sealed class EntraIdBearerTests : IDisposable
{
    private const string Issuer = "https://login.microsoftonline.com/7f3a2c1e-0000-4000-8000-000000000001/v2.0";
    private const string Audience = "api://partnerbot";
    private readonly WireMockServer _entra = WireMockServer.Start();
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _key;

    public EntraIdBearerTests()
    {
        _key = new RsaSecurityKey(_rsa) { KeyId = "test-key-1" };
        var parameters = _rsa.ExportParameters(false);
        _entra.Given(Request.Create().WithPath("/tenant/v2.0/.well-known/openid-configuration").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody($$"""
                {"issuer":"{{Issuer}}","jwks_uri":"{{_entra.Url}}/tenant/discovery/v2.0/keys",
                 "authorization_endpoint":"{{_entra.Url}}/tenant/oauth2/v2.0/authorize","token_endpoint":"{{_entra.Url}}/tenant/oauth2/v2.0/token",
                 "id_token_signing_alg_values_supported":["RS256"],"response_types_supported":["code","id_token"],
                 "subject_types_supported":["pairwise"]}
                """));
        _entra.Given(Request.Create().WithPath("/tenant/discovery/v2.0/keys").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody($$"""
                {"keys":[{"kty":"RSA","use":"sig","kid":"test-key-1","alg":"RS256",
                  "n":"{{Base64UrlEncoder.Encode(parameters.Modulus)}}","e":"{{Base64UrlEncoder.Encode(parameters.Exponent)}}"}]}
                """));
    }

    public void Dispose()
    {
        _entra.Stop();
        _rsa.Dispose();
    }

    private EntraIdBearerAuthenticator Authenticator(string environment = "Development", string[]? admins = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Api:EntraId:Authority"] = _entra.Url + "/tenant/v2.0",
            ["Api:EntraId:Audience"] = Audience,
        };
        for (var i = 0; i < (admins?.Length ?? 0); i++) settings[$"Admins:Emails:{i}"] = admins![i];
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new EntraIdBearerAuthenticator(configuration, new Environment(environment), NullLogger<EntraIdBearerAuthenticator>.Instance);
    }

    private string Token(string audience = Audience, DateTime? expires = null, SecurityKey? key = null, params string[] roles) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            IssuedAt = DateTime.UtcNow.AddMinutes(-1),
            NotBefore = DateTime.UtcNow.AddMinutes(-1),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(30),
            SigningCredentials = new SigningCredentials(key ?? _key, SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object>
            {
                ["oid"] = "00000000-aaaa-bbbb-cccc-000000000042",
                ["preferred_username"] = "ops@partner.example",
                ["roles"] = roles,
            },
        });

    [Fact]
    public async Task A_valid_token_identifies_the_user_by_object_id_with_its_roles()
    {
        var identity = await Authenticator().AuthenticateAsync(Token(roles: ["admin"]), CancellationToken.None);

        Assert.NotNull(identity);
        Assert.Equal("00000000-aaaa-bbbb-cccc-000000000042", identity.UserId);
        Assert.Equal("ops@partner.example", identity.Email);
        Assert.Equal(["admin"], identity.Roles);
    }

    [Fact]
    public async Task An_admin_email_grants_the_admin_role()
    {
        var identity = await Authenticator(admins: ["OPS@partner.example"]).AuthenticateAsync(Token(), CancellationToken.None);
        Assert.Contains("admin", identity!.Roles);
    }

    [Fact]
    public async Task Tokens_for_another_audience_expired_or_signed_by_another_key_are_refused()
    {
        var authenticator = Authenticator();
        using var otherRsa = RSA.Create(2048);

        Assert.Null(await authenticator.AuthenticateAsync(Token(audience: "api://someone-else"), CancellationToken.None));
        Assert.Null(await authenticator.AuthenticateAsync(Token(expires: DateTime.UtcNow.AddMinutes(-30)), CancellationToken.None));
        Assert.Null(await authenticator.AuthenticateAsync(Token(key: new RsaSecurityKey(otherRsa) { KeyId = "test-key-1" }), CancellationToken.None));
        Assert.Null(await authenticator.AuthenticateAsync("not-a-jwt", CancellationToken.None));
    }

    [Fact]
    public async Task Plain_http_metadata_is_refused_outside_development()
    {
        Assert.Null(await Authenticator(environment: "Production").AuthenticateAsync(Token(), CancellationToken.None));
    }

    [Fact]
    public void Without_authority_and_audience_bearer_tokens_are_off()
    {
        var authenticator = new EntraIdBearerAuthenticator(new ConfigurationBuilder().Build(), new Environment("Production"),
            NullLogger<EntraIdBearerAuthenticator>.Instance);
        Assert.False(authenticator.IsConfigured);
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "partnerbot";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
