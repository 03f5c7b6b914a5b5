using System.Text;
using System.Text.RegularExpressions;
using PartnerBot.Cards.Text;

namespace PartnerBot.Cards.BlockKit;

/// <summary>Slack text objects: mrkdwn conversion of the bot's markdown subset, and literal (untrusted) text.</summary>
public static partial class SlackText
{
    [GeneratedRegex(@"\*\*(.+?)\*\*", RegexOptions.CultureInvariant)]
    private static partial Regex Bold();

    [GeneratedRegex(@"\[([^\]\n]+)\]\((https?://[^\s)]+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex Link();

    [GeneratedRegex(@"(?m)^[-*] ", RegexOptions.CultureInvariant)]
    private static partial Regex Bullet();

    /// <summary>Slack's three control characters.</summary>
    public static string Escape(string text) =>
        text.AsSpan().IndexOfAny(ControlCharacters) < 0 ? text : text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>The bot's markdown (**bold**, _italic_, [text](url), "- " bullets) as Slack mrkdwn.</summary>
    public static string FromMarkdown(string? markdown, int maxLength)
    {
        // Escaping and links can lengthen the text; leave room so the final cut rarely lands inside markup.
        var text = HideEscapes(Escape(CardText.Plain(markdown, Math.Max(1, maxLength * 4 / 5), keepNewLines: true)));
        // Most texts hold no markup at all: each pattern runs only when the text holds its marker.
        if (text.Contains("**", StringComparison.Ordinal)) text = Bold().Replace(text, "*$1*");
        if (text.Contains("](", StringComparison.Ordinal)) text = Link().Replace(text, m => $"<{m.Groups[2].Value}|{m.Groups[1].Value}>");
        if (text.Contains("- ", StringComparison.Ordinal) || text.Contains("* ", StringComparison.Ordinal)) text = Bullet().Replace(text, "• ");
        text = RestoreEscapes(text);
        return text.Length <= maxLength ? text : CardText.Trim(text, maxLength);
    }

    // Backslash-escaped characters (CardText.EscapeMarkdown) are parked in the private-use area while the
    // markdown is converted, then shown literally: Slack has no escapes, so formatting characters get a
    // zero-width space that stops them pairing up.
    private const string Escapable = "\\*_`[]~-+.)";
    private const char ParkBase = '\uE000';

    private static string HideEscapes(string text)
    {
        if (!text.Contains('\\')) return text;
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var index = i + 1 < text.Length && text[i] == '\\' ? Escapable.IndexOf(text[i + 1]) : -1;
            if (index >= 0) { sb.Append((char)(ParkBase + index)); i++; }
            else sb.Append(text[i]);
        }
        return sb.ToString();
    }

    private static string RestoreEscapes(string text)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var index = c - ParkBase;
            if (index < 0 || index >= Escapable.Length) { sb?.Append(c); continue; }
            sb ??= new StringBuilder(text.Length + 8).Append(text, 0, i);
            var original = Escapable[index];
            sb.Append(original);
            if (original is '*' or '_' or '~' or '`') sb.Append('\u200B');
        }
        return sb?.ToString() ?? text;
    }

    /// <summary>
    /// Untrusted text for a mrkdwn slot: escaped, and formatting characters neutralised with a zero-width space
    /// (Slack has no backslash escape), so a name like <c>my_app_1</c> is not turned italic.
    /// </summary>
    public static string Literal(string? text, int maxLength)
    {
        var plain = CardText.Plain(text, maxLength, keepNewLines: true);
        var first = plain.AsSpan().IndexOfAny(LiteralSpecials);
        if (first < 0) return plain;
        var sb = new StringBuilder(plain.Length + 8).Append(plain, 0, first);
        for (var i = first; i < plain.Length; i++)
        {
            var c = plain[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '*' or '_' or '~' or '`': sb.Append(c).Append('\u200B'); break;
                default: sb.Append(c); break;
            }
        }
        var result = sb.ToString();
        return result.Length <= maxLength ? result : CardText.Trim(result, maxLength);
    }

    private static readonly System.Buffers.SearchValues<char> ControlCharacters = System.Buffers.SearchValues.Create("&<>");
    private static readonly System.Buffers.SearchValues<char> LiteralSpecials = System.Buffers.SearchValues.Create("&<>*_~`");

    public static System.Text.Json.Nodes.JsonObject PlainText(string? text, int maxLength) => new()
    {
        ["type"] = "plain_text", ["text"] = NonEmpty(CardText.Plain(text, maxLength)), ["emoji"] = true,
    };

    public static System.Text.Json.Nodes.JsonObject Mrkdwn(string text) => new() { ["type"] = "mrkdwn", ["text"] = NonEmpty(text) };

    internal static string NonEmpty(string text) => string.IsNullOrWhiteSpace(text) ? "-" : text;
}
