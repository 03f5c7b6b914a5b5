using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PartnerBot.Bot.Channels.Teams;

namespace PartnerBot.Tests.Teams;

public sealed class TeamsOptionsTests : IDisposable
{
    private readonly ChannelIdentityServer _identity = new();

    private string[] Failures(string environment, Dictionary<string, string?> overrides)
    {
        using var services = TeamsServices.Build(_identity, environment, overrides: overrides);
        var error = Record.Exception(() => services.GetRequiredService<IOptions<BotFrameworkOptions>>().Value);
        return error is OptionsValidationException e ? e.Failures.ToArray() : [];
    }

    [Fact]
    public void Loopback_http_urls_are_accepted_in_development_only()
    {
        var local = new Dictionary<string, string?> { ["ToBotFromChannelOpenIdMetadataUrl"] = _identity.MetadataUrl };

        Assert.Empty(Failures("Development", local));
        var production = Failures("Production", local);
        Assert.Contains(production, f => f.StartsWith("ToBotFromChannelOpenIdMetadataUrl must use https"));
        Assert.Contains(production, f => f.StartsWith("ToChannelFromBotLoginUrl must use https"));
    }

    [Fact]
    public void Non_loopback_http_is_refused_even_in_development()
    {
        var failures = Failures("Development", new() { ["ToChannelFromBotLoginUrl"] = "http://login.example.com/botframework.com" });
        Assert.Contains(failures, f => f.StartsWith("ToChannelFromBotLoginUrl"));
    }

    [Fact]
    public void Missing_secrets_and_bad_app_types_name_their_key()
    {
        var failures = Failures("Development", new()
        {
            ["MicrosoftAppPassword"] = "", ["MicrosoftAppType"] = "SingleTenant", ["MicrosoftAppTenantId"] = "",
        });
        Assert.Contains(failures, f => f.StartsWith("MicrosoftAppPassword"));
        Assert.Contains(failures, f => f.StartsWith("MicrosoftAppTenantId"));
        Assert.Contains(Failures("Development", new() { ["MicrosoftAppType"] = "Everyone" }), f => f.StartsWith("MicrosoftAppType"));
    }

    [Fact]
    public void The_default_production_settings_are_valid()
    {
        var defaults = new Dictionary<string, string?>
        {
            ["ToBotFromChannelOpenIdMetadataUrl"] = "https://login.botframework.com/v1/.well-known/openidconfiguration",
            ["ToChannelFromBotLoginUrl"] = "https://login.microsoftonline.com/botframework.com",
        };
        Assert.Empty(Failures("Production", defaults));
    }

    [Fact]
    public void Single_tenant_bots_get_their_tenant_token_endpoint_and_entra_issuers()
    {
        var options = new BotFrameworkOptions
        {
            MicrosoftAppType = "SingleTenant", MicrosoftAppId = ChannelIdentityServer.AppId, MicrosoftAppTenantId = "contoso-tenant-id",
        };

        Assert.Equal("https://login.microsoftonline.com/contoso-tenant-id/oauth2/v2.0/token", options.TokenEndpoint.ToString());
        Assert.Equal("https://api.botframework.com/.default", options.OAuthScope);
        Assert.Contains("https://sts.windows.net/contoso-tenant-id/", options.ValidIssuers);
        Assert.Contains("https://login.microsoftonline.com/contoso-tenant-id/v2.0", options.ValidIssuers);
        Assert.Equal("https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token",
            new BotFrameworkOptions { MicrosoftAppId = ChannelIdentityServer.AppId }.TokenEndpoint.ToString());
    }

    [Fact]
    public async Task A_single_tenant_bot_requests_its_token_from_the_tenant_endpoint()
    {
        using var services = TeamsServices.Build(_identity, overrides: new Dictionary<string, string?>
        {
            ["MicrosoftAppType"] = "SingleTenant", ["MicrosoftAppTenantId"] = "contoso-tenant-id",
        });
        _identity.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath("/contoso-tenant-id/oauth2/v2.0/token").UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithHeader("Content-Type", "application/json")
                .WithBody("""{"token_type":"Bearer","expires_in":3599,"access_token":"tenant-token"}"""));

        var token = await services.GetRequiredService<BotTokenProvider>().GetTokenAsync(CancellationToken.None);

        Assert.Equal("tenant-token", token);
    }

    public void Dispose() => _identity.Dispose();
}
