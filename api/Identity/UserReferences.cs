namespace PartnerBot.Api.Identity;

/// <summary>One user a reference could mean, with the chat identity (<c>channel:id</c>) that matched, if any.</summary>
public sealed record UserCandidate(PlatformUser User, string? MatchedIdentity);

/// <summary>What a typed user reference resolved to.</summary>
public abstract record UserLookup
{
    private UserLookup() { }

    public sealed record Found(PlatformUser User) : UserLookup;

    /// <summary>No user matches <paramref name="Reference"/>.</summary>
    public sealed record Unknown(string Reference) : UserLookup;

    /// <summary>Several users match <paramref name="Reference"/>; each candidate names the identity that matched.</summary>
    public sealed record Ambiguous(string Reference, IReadOnlyList<UserCandidate> Candidates) : UserLookup;
}

/// <summary>
/// Finds a user from what an operator types: an internal id (<c>u_…</c>), an email, a chat identity
/// <c>channel:id</c> exactly as the channel reports it (<c>slack:TEAM:USER</c>, <c>msteams:AAD-OBJECT-ID</c>,
/// <c>directline:ID</c>), or a bare channel user id, which must belong to a single user.
/// </summary>
/// <remarks>
/// Exact forms are point reads. A bare id (or a channel-qualified id without its leading parts, such as a Slack
/// user id without its team) is matched against every user's linked identities, page by page: an operator's
/// command, not a per-request path.
/// </remarks>
public sealed class UserReferences(UserDirectory users)
{
    private const int PageSize = 200;

    public async Task<UserLookup> ResolveAsync(string reference, CancellationToken ct = default)
    {
        var text = reference.Trim();
        if (text.Length == 0) return new UserLookup.Unknown(reference);

        if (text.Contains('@') && !text.Contains(':'))
            return await users.FindByEmailAsync(text, ct) is { } byEmail ? new UserLookup.Found(byEmail) : new UserLookup.Unknown(text);

        if (await users.FindAsync(text, ct) is { } byId) return new UserLookup.Found(byId);

        var colon = text.IndexOf(':');
        if (colon > 0 && colon < text.Length - 1
            && await users.FindByIdentityAsync(text[..colon], text[(colon + 1)..], ct) is { } byIdentity)
            return new UserLookup.Found(byIdentity);

        var candidates = await FindByPartialIdentityAsync(text, ct);
        return candidates.Count switch
        {
            0 => new UserLookup.Unknown(text),
            1 => new UserLookup.Found(candidates[0].User),
            _ => new UserLookup.Ambiguous(text, candidates),
        };
    }

    /// <summary>
    /// Users with an identity whose id is <paramref name="text"/> or ends in <c>:text</c> on any channel, or, when
    /// <paramref name="text"/> starts with a channel name and a colon, whose id on that channel is or ends in the rest.
    /// </summary>
    private async Task<IReadOnlyList<UserCandidate>> FindByPartialIdentityAsync(string text, CancellationToken ct)
    {
        var found = new Dictionary<string, UserCandidate>(StringComparer.Ordinal);
        string? continuation = null;
        do
        {
            var (page, next) = await users.ListAsync(PageSize, continuation, ct);
            foreach (var user in page)
                if (user.Identities.FirstOrDefault(i => Matches(i, text)) is { } identity)
                    found.TryAdd(user.Id, new UserCandidate(user, $"{identity.Channel}:{identity.Id}"));
            continuation = next;
        } while (continuation is not null);
        return found.Values.OrderBy(c => c.User.CreatedAt).ToList();
    }

    private static bool Matches(ChatIdentityLink identity, string text)
    {
        if (IdMatches(identity.Id, text)) return true;
        var prefix = identity.Channel + ":";
        return text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && text.Length > prefix.Length
               && IdMatches(identity.Id, text[prefix.Length..]);
    }

    private static bool IdMatches(string id, string text) =>
        string.Equals(id, text, StringComparison.OrdinalIgnoreCase) || id.EndsWith(":" + text, StringComparison.OrdinalIgnoreCase);
}
