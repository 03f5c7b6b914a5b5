using System.Text.RegularExpressions;

namespace PartnerBot.Api.Publishing;

public enum GitHubTokenKind { Classic, FineGrained, Other }

/// <summary>Recognises GitHub token formats (so a pasted token can be caught) and describes a token without revealing it.</summary>
public static partial class GitHubTokens
{
    /// <summary>Personal (ghp_), OAuth (gho_), user-to-server (ghu_), server-to-server (ghs_), refresh (ghr_) and fine-grained (github_pat_) tokens.</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255})", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    public static bool ContainsToken(string? text) => !string.IsNullOrEmpty(text) && TokenPattern().IsMatch(text);

    /// <summary>The text with every token replaced by its hint (for anything that must be shown or kept).</summary>
    public static string Mask(string text) => TokenPattern().Replace(text, m => Hint(m.Value));

    public static GitHubTokenKind KindOf(string token) =>
        token.StartsWith("github_pat_", StringComparison.Ordinal) ? GitHubTokenKind.FineGrained
        : token.StartsWith("ghp_", StringComparison.Ordinal) ? GitHubTokenKind.Classic
        : GitHubTokenKind.Other;

    /// <summary><c>ghp_…abcd</c>: the prefix and the last four characters, the only form a token is ever shown in.</summary>
    public static string Hint(string token)
    {
        var prefix = token.StartsWith("github_pat_", StringComparison.Ordinal) ? "github_pat_"
            : token.Length > 4 && token[3] == '_' ? token[..4] : "";
        var last = token.Length >= 12 ? token[^4..] : "";
        return prefix + "…" + last;
    }

    /// <summary>True when the text could be a token at all (no spaces, sensible length) before asking GitHub.</summary>
    public static bool LooksLikeToken(string token) =>
        token.Length is >= 20 and <= 255 && token.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
