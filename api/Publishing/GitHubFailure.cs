using System.Globalization;

namespace PartnerBot.Api.Publishing;

public enum GitHubFailureKind { Unauthorized, RateLimited, Forbidden, NotFound, Unavailable, TooLarge, TooManyModules, BadArchive }

/// <summary>A GitHub request or repository read that failed, with a message a partner can act on (never containing a token).</summary>
public sealed class GitHubFailure(GitHubFailureKind kind, string message, DateTimeOffset? resetsAt = null) : Exception(message)
{
    public GitHubFailureKind Kind { get; } = kind;

    /// <summary>When the rate limit resets (for <see cref="GitHubFailureKind.RateLimited"/>).</summary>
    public DateTimeOffset? ResetsAt { get; } = resetsAt;

    public static GitHubFailure Unauthorized() => new(GitHubFailureKind.Unauthorized,
        "GitHub no longer accepts your token (it was revoked, has expired or was mistyped). Type \"github\" and enter a new token.");

    public static GitHubFailure RateLimited(DateTimeOffset? resetsAt, DateTimeOffset now)
    {
        var when = resetsAt is { } reset
            ? $" It resets at {reset.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture)} UTC (in {Math.Max(1, (int)Math.Ceiling((reset - now).TotalMinutes))} min)."
            : " Try again in an hour.";
        return new GitHubFailure(GitHubFailureKind.RateLimited, "GitHub's rate limit for this token is used up." + when, resetsAt);
    }

    public static GitHubFailure NotFound(string what) => new(GitHubFailureKind.NotFound,
        $"GitHub says {what} does not exist or this token cannot read it. Check that the repository still exists and that the token has access to it (type \"github\" to choose another).");

    public static GitHubFailure Unavailable(string detail, int attempts) => new(GitHubFailureKind.Unavailable,
        $"GitHub is not answering properly right now ({detail}, {attempts} attempt{(attempts == 1 ? "" : "s")}). Try again in a few minutes.");
}
