using Microsoft.Extensions.Options;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>The <c>Slack:*</c> settings.</summary>
public sealed class SlackOptions
{
    public const string Section = "Slack";

    /// <summary>Signing secret of the Slack app; requests are rejected while it is empty.</summary>
    public string SigningSecret { get; set; } = "";

    /// <summary>Bot user OAuth token (<c>xoxb-…</c>).</summary>
    public string BotToken { get; set; } = "";

    public string ApiBaseUrl { get; set; } = "https://slack.com/api/";

    /// <summary>
    /// Stored, unfinished Slack inputs one instance holds at most (<c>Slack:InboxWindow</c>). Past it an ack waits briefly
    /// for a turn to finish, then asks Slack to retry.
    /// </summary>
    public int InboxWindow { get; set; } = 512;

    /// <summary>Slack users whose name and email one instance remembers (<c>Slack:UserCacheSize</c>); past it the least recently used is forgotten.</summary>
    public int UserCacheSize { get; set; } = 10_000;

    /// <summary>The <c>Slack:Inbox:*</c> settings.</summary>
    public SlackInboxOptions Inbox { get; set; } = new();
}

/// <summary>The <c>Slack:Inbox:*</c> settings.</summary>
public sealed class SlackInboxOptions
{
    /// <summary>How long an input whose turn failed (or was interrupted too often) is kept for inspection (<c>Slack:Inbox:DeadRetention</c>).</summary>
    public TimeSpan DeadRetention { get; set; } = TimeSpan.FromDays(14);
}

/// <summary>Start-up checks of <see cref="SlackOptions"/>, one clear line per problem.</summary>
internal sealed class SlackOptionsValidator(IHostEnvironment environment) : IValidateOptions<SlackOptions>
{
    public ValidateOptionsResult Validate(string? name, SlackOptions options)
    {
        if (!Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var uri))
            return ValidateOptionsResult.Fail("Slack:ApiBaseUrl must be an absolute URL, e.g. https://slack.com/api/.");
        var loopbackHttpAllowed = environment.IsDevelopment() && uri.IsLoopback && uri.Scheme == Uri.UriSchemeHttp;
        if (uri.Scheme != Uri.UriSchemeHttps && !loopbackHttpAllowed)
            return ValidateOptionsResult.Fail("Slack:ApiBaseUrl must use https (http is accepted only on loopback in Development).");
        if (options.InboxWindow is < 1 or > 100_000)
            return ValidateOptionsResult.Fail("Slack:InboxWindow must be between 1 and 100000.");
        if (options.UserCacheSize is < 1 or > 1_000_000)
            return ValidateOptionsResult.Fail("Slack:UserCacheSize must be between 1 and 1000000.");
        if (options.Inbox.DeadRetention < TimeSpan.FromSeconds(1) || options.Inbox.DeadRetention > TimeSpan.FromDays(3650))
            return ValidateOptionsResult.Fail("Slack:Inbox:DeadRetention must be between 00:00:01 and 3650 days.");
        if (options.BotToken.Length > 0 && options.BotToken.Any(char.IsWhiteSpace))
            return ValidateOptionsResult.Fail("Slack:BotToken must not contain whitespace.");
        return ValidateOptionsResult.Success;
    }
}
