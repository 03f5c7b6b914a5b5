using System.ComponentModel.DataAnnotations;

namespace PartnerBot.Bot.Hosting;

/// <summary>How chat users start out, and where the bot is reachable.</summary>
public sealed class ChatOptions
{
    /// <summary><c>PublicBaseUrl</c>: used in manifests, links and webhooks.</summary>
    [Required(ErrorMessage = "PublicBaseUrl must be set to the bot's public address, e.g. https://bot.example.com.")]
    public string PublicBaseUrl { get; set; } = "http://localhost:3978";

    /// <summary><c>LocalChat:Roles</c>: roles of Web Chat users in the Development environment.</summary>
    public string LocalChatRoles { get; set; } = "user,partner,admin";

    /// <summary><c>LocalChat:Enabled</c>: serve the local Web Chat page and Direct Line endpoint (default: on in Development only).</summary>
    public bool? LocalChatEnabled { get; set; }

    public bool IsDevelopment { get; set; }

    /// <summary><c>LocalChat:Authentication</c> and its OpenID Connect keys.</summary>
    public Channels.DirectLine.WebChatSignInOptions SignIn { get; set; } = new();

    public bool WebChatEnabled => LocalChatEnabled ?? IsDevelopment;

    /// <summary>Roles given to a person the first time they chat from <paramref name="channel"/>.</summary>
    public IReadOnlyCollection<string> InitialRolesFor(string channel) =>
        channel == Channels.DirectLine.DirectLineChannel.ChannelId && IsDevelopment
            ? LocalChatRoles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : ["user", "partner"];

    public static void Bind(ChatOptions options, IConfiguration configuration, IHostEnvironment environment)
    {
        options.PublicBaseUrl = configuration["PublicBaseUrl"] ?? options.PublicBaseUrl;
        options.LocalChatRoles = configuration["LocalChat:Roles"] ?? options.LocalChatRoles;
        options.LocalChatEnabled = bool.TryParse(configuration["LocalChat:Enabled"], out var enabled) ? enabled : null;
        options.IsDevelopment = environment.IsDevelopment();
        options.SignIn = Channels.DirectLine.WebChatSignInOptions.From(configuration, options.IsDevelopment);
    }

    public static string? Validate(ChatOptions options)
    {
        if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return $"PublicBaseUrl: '{options.PublicBaseUrl}' is not an absolute http(s) URL.";
        if (!options.IsDevelopment && uri.Scheme != "https" && !uri.IsLoopback)
            return $"PublicBaseUrl: '{options.PublicBaseUrl}' must use https outside the Development environment.";
        return options.SignIn.Validate(options.WebChatEnabled, options.IsDevelopment);
    }
}
