using Microsoft.AspNetCore.DataProtection;

namespace PartnerBot.Bot.Channels.DirectLine;

/// <summary>What a Direct Line token grants: one conversation, for one user, until it expires.</summary>
public sealed record DirectLineGrant(string ConversationId, string UserId, string? UserName);

/// <summary>
/// Issues and checks Direct Line tokens. A token is the grant protected by ASP.NET Core Data Protection with a
/// lifetime, so it cannot be forged or stretched, and needs no server-side session.
/// </summary>
public sealed class DirectLineTokens(IDataProtectionProvider protection, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);
    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("PartnerBot.DirectLine.Token.v1").ToTimeLimitedDataProtector();

    public string Issue(DirectLineGrant grant)
    {
        var payload = string.Join('\n', grant.ConversationId, grant.UserId, grant.UserName ?? "");
        return _protector.Protect(payload, time.GetUtcNow().Add(Lifetime));
    }

    public DirectLineGrant? Validate(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096) return null;
        try
        {
            var payload = _protector.Unprotect(token, out var expiration);
            if (expiration < time.GetUtcNow()) return null;
            var parts = payload.Split('\n');
            return parts.Length == 3 ? new DirectLineGrant(parts[0], parts[1], parts[2].Length == 0 ? null : parts[2]) : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The bearer token of a request, from <c>Authorization: Bearer</c>, or from <c>?t=</c> on stream URLs.</summary>
    public static string? FromRequest(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header[7..].Trim();
        var query = request.Query["t"].ToString();
        return query.Length > 0 ? query : null;
    }

    public static string NewConversationId() => Guid.NewGuid().ToString("N");
}
