using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Identity;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.DirectLine;

/// <summary>Web Chat identities come from a server-issued session cookie, never from the token request.</summary>
public sealed class WebChatSessionTests : IAsyncLifetime
{
    private BotTestHost _host = null!;

    public async Task InitializeAsync() => _host = await BotTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_token_request_naming_a_victims_id_gets_a_new_identity_and_the_victim_keeps_their_credits()
    {
        var victim = await DirectLineTestClient.StartAsync(_host.Client);
        await victim.SendTextAsync("menu");
        await victim.WaitForCardAsync();
        var users = _host.Services.GetRequiredService<UserDirectory>();
        var victimUser = (await users.FindByIdentityAsync("directline", victim.UserId))!;
        var ledger = _host.Services.GetRequiredService<ICreditLedger>();
        var before = (await ledger.GetBalanceAsync(victimUser.Id)).Total;

        var attack = await _host.Client.PostAsJsonAsync("v3/directline/tokens/generate", new { user = new { id = victim.UserId, name = "Victim" } });

        Assert.Equal(HttpStatusCode.OK, attack.StatusCode);
        var body = (await attack.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.NotEqual(victim.UserId, (string?)body["user"]!["id"]);
        var attacker = await DirectLineTestClient.StartAsync(_host.Client, victim.UserId);
        Assert.NotEqual(victim.UserId, attacker.UserId);
        var echoId = await attacker.SendTextAsync("billing");
        await attacker.WaitForCardAsync();
        Assert.Equal(attacker.UserId, (string?)attacker.Received.Single(a => (string?)a["id"] == echoId)["from"]!["id"]);
        Assert.Equal(before, (await ledger.GetBalanceAsync(victimUser.Id)).Total);
    }

    [Fact]
    public async Task No_request_is_authenticated_with_the_session_cookie_unless_web_chat_asks_for_it()
    {
        // The one registered scheme would otherwise be every request's default, run by the host's authentication middleware.
        var schemes = _host.Services.GetRequiredService<Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider>();
        Assert.Null(await schemes.GetDefaultAuthenticateSchemeAsync());
        Assert.NotNull(await schemes.GetSchemeAsync(PartnerBot.Bot.Channels.DirectLine.WebChatSessions.Scheme));

        // A Web Chat session still carries its identity to the next token request.
        var first = await _host.Client.PostAsync("v3/directline/tokens/generate", JsonContent.Create(new { }));
        var firstId = (string?)(await first.Content.ReadFromJsonAsync<JsonObject>())!["user"]!["id"];
        using var again = new HttpRequestMessage(HttpMethod.Post, "v3/directline/tokens/generate") { Content = JsonContent.Create(new { }) };
        again.Headers.Add("Cookie", SessionCookie(first).Split(';')[0]);
        var second = await _host.Client.SendAsync(again);
        Assert.Equal(firstId, (string?)(await second.Content.ReadFromJsonAsync<JsonObject>())!["user"]!["id"]);
    }

    [Fact]
    public async Task The_session_cookie_is_http_only_same_site_keeps_the_identity_and_is_renewed_on_use()
    {
        var first = await _host.Client.PostAsync("v3/directline/tokens/generate", JsonContent.Create(new { }));
        var cookie = SessionCookie(first);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var firstId = (string?)(await first.Content.ReadFromJsonAsync<JsonObject>())!["user"]!["id"];

        using var again = new HttpRequestMessage(HttpMethod.Post, "v3/directline/tokens/generate") { Content = JsonContent.Create(new { user = new { id = "someone-else" } }) };
        again.Headers.Add("Cookie", cookie.Split(';')[0]);
        var second = await _host.Client.SendAsync(again);

        Assert.Equal(firstId, (string?)(await second.Content.ReadFromJsonAsync<JsonObject>())!["user"]!["id"]);
        Assert.StartsWith("partnerbot.webchat=", SessionCookie(second), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_browsers_cookie_cannot_refresh_a_conversations_token()
    {
        var owner = await DirectLineTestClient.StartAsync(_host.Client);
        var other = await _host.Client.PostAsync("v3/directline/tokens/generate", JsonContent.Create(new { }));

        using var refresh = new HttpRequestMessage(HttpMethod.Post, "v3/directline/tokens/refresh");
        refresh.Headers.Authorization = new AuthenticationHeaderValue("Bearer", owner.Token);
        refresh.Headers.Add("Cookie", SessionCookie(other).Split(';')[0]);
        var response = await _host.Client.SendAsync(refresh);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private static string SessionCookie(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("partnerbot.webchat=", StringComparison.Ordinal));
}

/// <summary>Outside Development Web Chat needs a real sign-in.</summary>
public sealed class WebChatSignInConfigurationTests
{
    private static Dictionary<string, string?> Production(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?> { ["PublicBaseUrl"] = "https://bot.example.com", ["LocalChat:Enabled"] = "true" };
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("none")]
    public async Task Web_chat_without_sign_in_is_refused_at_start_up_outside_development(string? mode)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await BotTestHost.StartAsync(Production(("LocalChat:Authentication", mode)), environment: "Production");
        });
        Assert.Contains("LocalChat:Authentication", failure.Message);
    }

    [Fact]
    public async Task With_openid_connect_a_browser_without_a_session_gets_no_token()
    {
        await using var host = await BotTestHost.StartAsync(Production(
            ("LocalChat:Authentication", "OpenIdConnect"),
            ("LocalChat:OpenIdConnect:Authority", "https://login.example.com/tenant/v2.0"),
            ("LocalChat:OpenIdConnect:ClientId", "webchat-client"),
            ("LocalChat:OpenIdConnect:ClientSecret", "webchat-secret")), environment: "Production");

        var response = await host.Client.PostAsJsonAsync("v3/directline/tokens/generate", new { user = new { id = "dl_admin" } });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }
}
