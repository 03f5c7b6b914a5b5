namespace PartnerBot.Bot.Channels.Slack;

/// <summary>Everything the Slack channel answers to, in one table.</summary>
public static class SlackRoutes
{
    /// <summary>The one Request URL for Events API callbacks, interactivity payloads and slash commands.</summary>
    public const string Events = "/api/slack/events";

    /// <summary>The slash command and the dialogs it starts (the first word of its text).</summary>
    public const string SlashCommand = "/partnerbot";

    public const string SlashCommandUsage = "[deploy|deployments|publish|github|billing|help|support|theme|api key] [args]";

    public static readonly IReadOnlyList<string> SlashSubcommands =
        ["deploy", "deployments", "publish", "github", "billing", "help", "support", "theme", "api", "apikey", "apikeys"];

    /// <summary>Bot events the app subscribes to.</summary>
    public static readonly IReadOnlyList<string> BotEvents = ["app_mention", "message.im"];

    /// <summary>Bot token scopes the app asks for.</summary>
    public static readonly IReadOnlyList<string> BotScopes =
        ["chat:write", "commands", "app_mentions:read", "im:history", "users:read", "users:read.email"];
}
