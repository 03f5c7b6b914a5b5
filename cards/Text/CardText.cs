using System.Globalization;
using System.Text;

namespace PartnerBot.Cards.Text;

/// <summary>
/// Makes untrusted text (module descriptions, names, user input) safe for card text: strips control and
/// bidi-override characters, trims to a length without splitting a grapheme (emoji stay whole) and marks
/// the cut with an ellipsis, and escapes markdown so that labels show literally.
/// </summary>
public static class CardText
{
    public const string Ellipsis = "…";

    /// <summary>Removes characters that are invisible or reorder text deceptively, and unpaired surrogates.</summary>
    public static string Clean(string? text, bool keepNewLines = true)
    {
        if (string.IsNullOrEmpty(text)) return "";
        StringBuilder? sb = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var keep = true;
            string? replacement = null;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    sb?.Append(c).Append(text[i + 1]);
                    i++;
                    continue;
                }
                keep = false;
            }
            else if (char.IsLowSurrogate(c)) keep = false;
            else if (c == '\r') keep = false;
            else if (c == '\n') { if (!keepNewLines) replacement = " "; }
            else if (c == '\t') replacement = " ";
            else if (char.IsControl(c)) keep = false;
            // Bidi embeddings/overrides/isolates can make a label read differently from what it is.
            else if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C') keep = false;
            else if (c is '\uFEFF' or '\u2028' or '\u2029') replacement = keepNewLines && c != '\uFEFF' ? "\n" : c == '\uFEFF' ? "" : " ";

            if (keep && replacement is null) { sb?.Append(c); continue; }
            sb ??= new StringBuilder(text.Length).Append(text, 0, i);
            if (replacement is not null) sb.Append(replacement);
        }
        return sb?.ToString() ?? text;
    }

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="maxLength"/> UTF-16 units, ending with "…" when cut.</summary>
    public static string Trim(string text, int maxLength)
    {
        if (maxLength < 1) throw new ArgumentOutOfRangeException(nameof(maxLength));
        if (text.Length <= maxLength) return text;
        var budget = maxLength - Ellipsis.Length;
        // Cut on a text-element (grapheme) boundary so an emoji or a combining sequence is never split.
        var end = 0;
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext())
        {
            var next = enumerator.ElementIndex + enumerator.GetTextElement().Length;
            if (next > budget) break;
            end = next;
        }
        return text[..end].TrimEnd() + Ellipsis;
    }

    /// <summary>
    /// Clean + trim + angle brackets as look-alikes: for plain-text slots (input labels, button titles, choice titles,
    /// Slack plain_text). No host renders HTML there, but some render fallback text as markdown; this keeps it inert.
    /// </summary>
    public static string Plain(string? text, int maxLength, bool keepNewLines = false) => NeutraliseHtml(Trim(Clean(text, keepNewLines), maxLength));

    /// <summary>
    /// Clean + trim + escape markdown: untrusted text that goes into a markdown slot (TextBlock, Fact)
    /// must show literally. The length limit applies before escaping (what the reader sees).
    /// </summary>
    public static string Literal(string? text, int maxLength, bool keepNewLines = true) => EscapeMarkdown(Plain(text, maxLength, keepNewLines));

    /// <summary>Trusted markdown (the bot's own text): cleaned and trimmed, markdown kept, HTML neutralised.</summary>
    public static string Markdown(string? text, int maxLength) => Plain(text, maxLength, keepNewLines: true);

    /// <summary>Backslash-escapes the characters the Adaptive Cards / mrkdwn subset gives meaning to (minimal set: hosts differ).</summary>
    public static string EscapeMarkdown(string text) => NeedsEscaping(text) ? Escape(text) : text;

    private static readonly System.Buffers.SearchValues<char> MarkdownSpecials = System.Buffers.SearchValues.Create("\\*_`[]~");

    /// <summary>
    /// Whether <see cref="Escape"/> would change anything: a special character anywhere, or at a line's start (after
    /// its spaces) a list marker or a digit. Most labels and names have neither, and are used as they are.
    /// </summary>
    private static bool NeedsEscaping(string text)
    {
        if (text.AsSpan().ContainsAny(MarkdownSpecials)) return true;
        for (var i = 0; i < text.Length; i++)
        {
            while (i < text.Length && text[i] == ' ') i++;
            if (i < text.Length && (text[i] is '-' or '+' || char.IsAsciiDigit(text[i]))) return true;
            var end = text.IndexOf('\n', i);
            if (end < 0) return false;
            i = end;
        }
        return false;
    }

    private static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        var lineStart = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\\' or '*' or '_' or '`' or '[' or ']' or '~')
                sb.Append('\\');
            else if (lineStart && c is '-' or '+')
                sb.Append('\\');
            else if (lineStart && char.IsAsciiDigit(c))
            {
                // "1. text" at a line start would become a numbered list.
                var j = i;
                while (j < text.Length && char.IsAsciiDigit(text[j])) j++;
                if (j < text.Length && text[j] is '.' or ')')
                {
                    sb.Append(text, i, j - i).Append('\\').Append(text[j]);
                    i = j;
                    lineStart = false;
                    continue;
                }
            }
            sb.Append(c);
            lineStart = c == '\n' || (lineStart && c == ' ');
        }
        return sb.ToString();
    }

    /// <summary>Adaptive Cards and Slack never render HTML; show angle brackets as look-alikes so no host tries.</summary>
    public static string NeutraliseHtml(string text) =>
        text.Contains('<') || text.Contains('>') ? text.Replace('<', '‹').Replace('>', '›') : text;

    /// <summary>True when the text is mostly right-to-left script (Hebrew, Arabic, ...).</summary>
    public static bool IsRightToLeft(string text)
    {
        int rtl = 0, ltr = 0;
        foreach (var c in text)
        {
            if (c is >= '\u0590' and <= '\u08FF' or >= '\uFB1D' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFF') rtl++;
            else if (char.IsLetter(c)) ltr++;
        }
        return rtl > ltr;
    }
}
