namespace PartnerBot.Api.Http;

/// <summary>Who is calling the REST API (set per request by <see cref="ApiAuthenticationFilter"/>).</summary>
public interface ICurrentCaller
{
    bool IsAuthenticated { get; }
    /// <summary>The user id (also the partner id of their deployments and the key of their credit balance).</summary>
    string UserId { get; }
    string? Email { get; }
    IReadOnlyList<string> Roles { get; }
    bool IsAdmin { get; }
    /// <summary><c>ApiKey</c> or <c>EntraId</c>.</summary>
    string? Scheme { get; }
}

public sealed class CurrentCaller : ICurrentCaller
{
    public bool IsAuthenticated { get; private set; }
    public string UserId { get; private set; } = "";
    public string? Email { get; private set; }
    public IReadOnlyList<string> Roles { get; private set; } = [];
    public bool IsAdmin => Roles.Contains("admin", StringComparer.OrdinalIgnoreCase);
    public string? Scheme { get; private set; }

    public void Set(string userId, string? email, IReadOnlyList<string> roles, string scheme)
    {
        UserId = userId;
        Email = email;
        Roles = roles;
        Scheme = scheme;
        IsAuthenticated = true;
    }
}
