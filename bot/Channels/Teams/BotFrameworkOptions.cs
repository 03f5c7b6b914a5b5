using System.Net;
using Microsoft.Extensions.Options;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>
/// Bot Framework settings, bound from the configuration root with the key names the Bot Framework SDK uses.
/// </summary>
public sealed class BotFrameworkOptions
{
    public const string MultiTenant = "MultiTenant";
    public const string SingleTenant = "SingleTenant";

    public string MicrosoftAppType { get; set; } = MultiTenant;
    public string? MicrosoftAppId { get; set; }
    public string? MicrosoftAppPassword { get; set; }
    public string? MicrosoftAppTenantId { get; set; }
    public string ToBotFromChannelOpenIdMetadataUrl { get; set; } = "https://login.botframework.com/v1/.well-known/openidconfiguration";
    public string ToBotFromChannelTokenIssuer { get; set; } = "https://api.botframework.com";
    public string ToChannelFromBotLoginUrl { get; set; } = "https://login.microsoftonline.com/botframework.com";
    public string ToChannelFromBotOAuthScope { get; set; } = "https://api.botframework.com";
    public string? PublicBaseUrl { get; set; }

    /// <summary>No app id: the Emulator-style local mode (Development only), where only loopback callers are accepted.</summary>
    public bool IsAnonymous => string.IsNullOrWhiteSpace(MicrosoftAppId);

    public bool IsSingleTenant => string.Equals(MicrosoftAppType, SingleTenant, StringComparison.OrdinalIgnoreCase);

    /// <summary>The OAuth2 token endpoint for bot → Connector calls (PROTOCOLS 3.3).</summary>
    public Uri TokenEndpoint
    {
        get
        {
            var login = ToChannelFromBotLoginUrl.TrimEnd('/');
            if (IsSingleTenant && !string.IsNullOrWhiteSpace(MicrosoftAppTenantId))
            {
                // The tenant's own authority replaces the last path segment (botframework.com).
                var authority = new Uri(login);
                var basePath = authority.AbsolutePath.TrimEnd('/');
                var cut = basePath.LastIndexOf('/');
                var parent = cut > 0 ? basePath[..cut] : "";
                login = $"{authority.GetLeftPart(UriPartial.Authority)}{parent}/{Uri.EscapeDataString(MicrosoftAppTenantId)}";
            }
            return new Uri(login + "/oauth2/v2.0/token");
        }
    }

    public string OAuthScope => ToChannelFromBotOAuthScope.TrimEnd('/') + "/.default";

    /// <summary>Accepted token issuers: the channel issuer, plus the tenant's Entra ID issuers for single-tenant bots.</summary>
    public IReadOnlyList<string> ValidIssuers
    {
        get
        {
            var issuers = new List<string> { ToBotFromChannelTokenIssuer };
            if (IsSingleTenant && !string.IsNullOrWhiteSpace(MicrosoftAppTenantId))
            {
                issuers.Add($"https://sts.windows.net/{MicrosoftAppTenantId}/");
                issuers.Add($"https://login.microsoftonline.com/{MicrosoftAppTenantId}/v2.0");
            }
            return issuers;
        }
    }
}

/// <summary>Which URLs the bot may talk to: https everywhere, plus http on loopback in Development.</summary>
public sealed class BotUrlPolicy(bool isDevelopment)
{
    public bool IsDevelopment { get; } = isDevelopment;

    public bool IsAllowed(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && IsAllowed(uri);

    public bool IsAllowed(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps ||
        (IsDevelopment && uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri));

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}

internal sealed class BotFrameworkOptionsValidator(BotUrlPolicy urls) : IValidateOptions<BotFrameworkOptions>
{
    public ValidateOptionsResult Validate(string? name, BotFrameworkOptions o)
    {
        var failures = new List<string>();
        if (!string.Equals(o.MicrosoftAppType, BotFrameworkOptions.MultiTenant, StringComparison.OrdinalIgnoreCase) && !o.IsSingleTenant)
            failures.Add($"MicrosoftAppType must be '{BotFrameworkOptions.MultiTenant}' or '{BotFrameworkOptions.SingleTenant}' (was '{o.MicrosoftAppType}').");
        if (!o.IsAnonymous && string.IsNullOrWhiteSpace(o.MicrosoftAppPassword))
            failures.Add("MicrosoftAppPassword is required when MicrosoftAppId is set.");
        if (!o.IsAnonymous && o.IsSingleTenant && string.IsNullOrWhiteSpace(o.MicrosoftAppTenantId))
            failures.Add("MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant.");
        CheckUrl(failures, nameof(o.ToBotFromChannelOpenIdMetadataUrl), o.ToBotFromChannelOpenIdMetadataUrl);
        CheckUrl(failures, nameof(o.ToChannelFromBotLoginUrl), o.ToChannelFromBotLoginUrl);
        if (string.IsNullOrWhiteSpace(o.ToBotFromChannelTokenIssuer))
            failures.Add("ToBotFromChannelTokenIssuer must not be empty.");
        if (!Uri.TryCreate(o.ToChannelFromBotOAuthScope, UriKind.Absolute, out _))
            failures.Add("ToChannelFromBotOAuthScope must be an absolute URI.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void CheckUrl(List<string> failures, string key, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
            failures.Add($"{key} must be an absolute URL (was '{value}').");
        else if (!urls.IsAllowed(uri))
            failures.Add(urls.IsDevelopment
                ? $"{key} must use https (http is accepted only on loopback in Development)."
                : $"{key} must use https.");
    }
}
