namespace PartnerBot.Api.Identity;

/// <summary>The roles a platform user can hold (several at once).</summary>
public static class Roles
{
    public const string User = "user";
    public const string Partner = "partner";
    public const string Agent = "agent";
    public const string Support = "support";
    public const string Finance = "finance";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [User, Partner, Agent, Support, Finance, Admin];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}

/// <summary>A chat identity linked to a platform user.</summary>
public sealed record ChatIdentityLink(string Channel, string Id);

/// <summary>One person on the platform, whatever channels they chat from.</summary>
public sealed record PlatformUser(
    [property: System.Text.Json.Serialization.JsonPropertyName("userId")] string Id,
    string DisplayName,
    string? Email,
    IReadOnlyList<string> Roles,
    IReadOnlyList<ChatIdentityLink> Identities,
    string Theme,
    DateTimeOffset CreatedAt)
{
    public bool IsInRole(string role) => Roles.Contains(role, StringComparer.Ordinal) || Roles.Contains(Identity.Roles.Admin, StringComparer.Ordinal);
    public bool IsAdmin => Roles.Contains(Identity.Roles.Admin, StringComparer.Ordinal);
}
