using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace PartnerBot.Bot.Channels.DirectLine;

/// <summary>
/// <c>LocalChat:Authentication</c> and its OpenID Connect keys: how a browser proves who it is before it gets a
/// Direct Line token. <c>none</c> (Development only) gives each browser a new local test identity.
/// </summary>
public sealed class WebChatSignInOptions
{
    public const string None = "none";
    public const string OpenIdConnect = "OpenIdConnect";

    /// <summary><c>LocalChat:Authentication</c>: <c>none</c> (the Development default) or <c>OpenIdConnect</c>.</summary>
    public string? Authentication { get; set; }

    /// <summary><c>LocalChat:OpenIdConnect:Authority</c>, e.g. <c>https://login.microsoftonline.com/{tenant}/v2.0</c>.</summary>
    public string? Authority { get; set; }

    /// <summary><c>LocalChat:OpenIdConnect:ClientId</c>.</summary>
    public string? ClientId { get; set; }

    /// <summary><c>LocalChat:OpenIdConnect:ClientSecret</c>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary><c>LocalChat:OpenIdConnect:CallbackPath</c> (default <c>/signin-oidc</c>), registered as the redirect URI.</summary>
    public string CallbackPath { get; set; } = "/signin-oidc";

    public bool UsesOpenIdConnect => string.Equals(Authentication, OpenIdConnect, StringComparison.OrdinalIgnoreCase);

    public static WebChatSignInOptions From(IConfiguration configuration, bool isDevelopment)
    {
        var section = configuration.GetSection("LocalChat:OpenIdConnect");
        return new WebChatSignInOptions
        {
            Authentication = configuration["LocalChat:Authentication"] is { Length: > 0 } mode ? mode : isDevelopment ? None : null,
            Authority = section["Authority"],
            ClientId = section["ClientId"],
            ClientSecret = section["ClientSecret"],
            CallbackPath = section["CallbackPath"] is { Length: > 0 } path ? path : "/signin-oidc",
        };
    }

    /// <summary>The one-line start-up error, or null.</summary>
    public string? Validate(bool webChatEnabled, bool isDevelopment)
    {
        if (!webChatEnabled) return null;
        if (!UsesOpenIdConnect && !string.Equals(Authentication, None, StringComparison.OrdinalIgnoreCase))
            return Authentication is null
                ? "LocalChat:Authentication must be set when LocalChat:Enabled is on outside Development (OpenIdConnect)."
                : $"LocalChat:Authentication must be 'none' or 'OpenIdConnect' (was '{Authentication}').";
        if (!UsesOpenIdConnect && !isDevelopment)
            return "LocalChat:Authentication 'none' is accepted only in Development; use OpenIdConnect or turn LocalChat:Enabled off.";
        if (UsesOpenIdConnect)
        {
            if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && !(isDevelopment && authority.IsLoopback)))
                return "LocalChat:OpenIdConnect:Authority must be an https URL.";
            if (string.IsNullOrWhiteSpace(ClientId)) return "LocalChat:OpenIdConnect:ClientId is required.";
            if (string.IsNullOrWhiteSpace(ClientSecret)) return "LocalChat:OpenIdConnect:ClientSecret is required.";
            if (!CallbackPath.StartsWith('/')) return "LocalChat:OpenIdConnect:CallbackPath must start with '/'.";
        }
        return null;
    }
}

/// <summary>
/// The browser's Web Chat session: a server-issued, HttpOnly, SameSite=Strict cookie protected with Data Protection
/// (ASP.NET Core cookie authentication), re-issued on every token request so an active chat never expires.
/// </summary>
public sealed class WebChatSessions(IOptions<WebChatSignInOptions> options, TimeProvider time)
{
    public const string Scheme = "WebChat";
    public const string CookieName = "partnerbot.webchat";
    public const string UserIdClaim = "sub";
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(14);

    public bool RequiresSignIn => options.Value.UsesOpenIdConnect;

    /// <summary>
    /// The caller's identity, renewing its cookie; a browser without a session gets a new local test identity
    /// when sign-in is <c>none</c>, and null (sign in first) with OpenID Connect.
    /// </summary>
    /// <param name="requestedName">The display name a new local test identity takes (the id is never the caller's choice).</param>
    public async Task<DirectLineUser?> CurrentAsync(HttpContext http, string? requestedName = null)
    {
        var result = await http.AuthenticateAsync(Scheme);
        var principal = result.Succeeded ? result.Principal : null;
        var userId = principal?.FindFirst(UserIdClaim)?.Value;
        if (userId is null)
        {
            if (RequiresSignIn) return null;
            userId = "dl_" + Guid.NewGuid().ToString("N");
            principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(UserIdClaim, userId), new Claim("name", requestedName is { Length: > 0 and <= 64 } ? requestedName : "You")], "local", "name", "role"));
        }
        await http.SignInAsync(Scheme, principal!, new AuthenticationProperties
        {
            IsPersistent = true,
            IssuedUtc = time.GetUtcNow(),
            ExpiresUtc = time.GetUtcNow().Add(Lifetime),
        });
        return new DirectLineUser(userId, principal!.FindFirst("name")?.Value);
    }
}

public sealed record DirectLineUser(string Id, string? Name);

public static class WebChatSignInExtensions
{
    /// <summary>The ASP.NET Core switch that stops a lone authentication scheme from becoming everyone's default.</summary>
    public const string SuppressAutoDefaultScheme = "Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme";

    public static IServiceCollection AddWebChatSignIn(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var signIn = WebChatSignInOptions.From(configuration, environment.IsDevelopment());
        services.AddSingleton(Options.Create(signIn));
        services.AddSingleton<WebChatSessions>();
        // No default scheme, and none chosen for us (the single registered one otherwise is): the session cookie is read
        // only where Web Chat asks for it by name. With a default, the authentication middleware the host adds would run
        // the cookie handler on every Teams, Slack and API request, for nothing that reads it.
        AppContext.SetSwitch(SuppressAutoDefaultScheme, true);
        var auth = services.AddAuthentication(o =>
        {
            if (signIn.UsesOpenIdConnect) o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
        });
        auth.AddCookie(WebChatSessions.Scheme, o =>
        {
            o.Cookie.Name = WebChatSessions.CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = signIn.UsesOpenIdConnect ? SameSiteMode.Lax : SameSiteMode.Strict;
            o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            o.ExpireTimeSpan = WebChatSessions.Lifetime;
            o.SlidingExpiration = true;
            // An API caller gets a status code, never a redirect to a login page.
            o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
            o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
        });
        if (signIn.UsesOpenIdConnect)
        {
            auth.AddOpenIdConnect(o =>
            {
                o.SignInScheme = WebChatSessions.Scheme;
                o.Authority = signIn.Authority;
                o.ClientId = signIn.ClientId;
                o.ClientSecret = signIn.ClientSecret;
                o.CallbackPath = signIn.CallbackPath;
                o.ResponseType = "code";
                o.UsePkce = true;
                o.MapInboundClaims = false;
                o.SaveTokens = false;
                o.Scope.Clear();
                o.Scope.Add("openid");
                o.Scope.Add("profile");
                o.TokenValidationParameters.NameClaimType = "name";
                o.RequireHttpsMetadata = !environment.IsDevelopment();
            });
        }
        return services;
    }
}
