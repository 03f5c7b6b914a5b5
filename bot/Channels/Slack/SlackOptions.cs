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
        if (options.BotToken.Length > 0 && options.BotToken.Any(char.IsWhiteSpace))
            return ValidateOptionsResult.Fail("Slack:BotToken must not contain whitespace.");
        return ValidateOptionsResult.Success;
    }
}
