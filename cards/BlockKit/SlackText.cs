using System.Text;
using System.Text.RegularExpressions;
using PartnerBot.Cards.Text;

namespace PartnerBot.Cards.BlockKit;

/// <summary>Slack text objects: mrkdwn conversion of the bot's markdown subset, and literal (untrusted) text.</summary>
public static class SlackText
{
    private static readonly Regex Bold = new(@"\*\*(.+?)\*\*", RegexOptions.CultureInvariant);
    private static readonly Regex Link = new(@"\[([^\]\n]+)\]\((https?://[^\s)]+)\)", RegexOptions.CultureInvariant);

    /// <summary>Slack's three control characters.</summary>
    public static string Escape(string text) =>
        text.IndexOfAny(['&', '<', '>']) < 0 ? text : text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>The bot's markdown (**bold**, _italic_, [text](url), "- " bullets) as Slack mrkdwn.</summary>
    public static string FromMarkdown(string? markdown, int maxLength)
    {
        // Escaping and links can lengthen the text; leave room so the final cut rarely lands inside markup.
        var text = Escape(CardText.Plain(markdown, Math.Max(1, maxLength * 4 / 5), keepNewLines: true));
        text = Bold.Replace(text, "*$1*");
        text = Link.Replace(text, m => $"<{m.Groups[2].Value}|{m.Groups[1].Value}>");
        text = Regex.Replace(text, @"(?m)^[-*] ", "• ");
        return text.Length <= maxLength ? text : CardText.Trim(text, maxLength);
    }

    /// <summary>
    /// Untrusted text for a mrkdwn slot: escaped, and formatting characters neutralised with a zero-width space
    /// (Slack has no backslash escape), so a name like <c>my_app_1</c> is not turned italic.
    /// </summary>
    public static string Literal(string? text, int maxLength)
    {
        var plain = CardText.Plain(text, maxLength, keepNewLines: true);
        var sb = new StringBuilder(plain.Length + 8);
        foreach (var c in plain)
        {
            sb.Append(c switch { '&' => "&amp;", '<' => "&lt;", '>' => "&gt;", _ => c.ToString() });
            if (c is '*' or '_' or '~' or '`') sb.Append('\u200B');
        }
        var result = sb.ToString();
        return result.Length <= maxLength ? result : CardText.Trim(result, maxLength);
    }

    public static System.Text.Json.Nodes.JsonObject PlainText(string? text, int maxLength) => new()
    {
        ["type"] = "plain_text", ["text"] = NonEmpty(CardText.Plain(text, maxLength)), ["emoji"] = true,
    };

    public static System.Text.Json.Nodes.JsonObject Mrkdwn(string text) => new() { ["type"] = "mrkdwn", ["text"] = NonEmpty(text) };

    internal static string NonEmpty(string text) => string.IsNullOrWhiteSpace(text) ? "-" : text;
}
