using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Identity;

public sealed class PeopleOptions
{
    /// <summary>Emails of the first admins (<c>Admins:Emails</c>).</summary>
    public List<string> AdminEmails { get; set; } = [];

    /// <summary>
    /// How long a turn may use a profile this instance read or wrote lately instead of reading it again
    /// (<c>People:ProfileCacheSeconds</c>, 0 to 300; 0 reads it on every turn). A change made through this instance shows at
    /// once; one made by another instance or the CLI shows within this time.
    /// </summary>
    public TimeSpan ProfileFreshFor { get; set; } = DefaultProfileFreshFor;

    public static readonly TimeSpan DefaultProfileFreshFor = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxProfileFreshFor = TimeSpan.FromMinutes(5);

    public static string? Validate(PeopleOptions o) =>
        o.ProfileFreshFor < TimeSpan.Zero || o.ProfileFreshFor > MaxProfileFreshFor
            ? $"People:ProfileCacheSeconds must be between 0 and {MaxProfileFreshFor.TotalSeconds:0}." : null;
}

/// <summary>
/// Platform users and the chat identities linked to them. A user is found by a chat identity (channel + channel
/// user id) or, when the channel tells us, by email, so one person chatting from Teams and Slack is one user.
/// </summary>
/// <remarks>
/// Documents: <c>users/{userId}/profile</c>, <c>identities/{channel:id}/link</c>, <c>emails/{email}/link</c>.
/// Creation is create-if-absent on the link documents, so two simultaneous first turns make one user.
/// </remarks>
public sealed class UserDirectory(IDocumentStore store, IOptions<PeopleOptions> options, TimeProvider time, ILogger<UserDirectory> logger)
{
    public const string UsersContainer = "users";
    private const string IdentitiesContainer = "identities";
    private const string EmailsContainer = "emails";
    private const string ProfileId = "profile";
    private const string LinkId = "link";
    private const int MaxUpdateAttempts = 50;
    private const int MaxCachedLinks = 100_000;
    private const int MaxCachedProfiles = 10_000;

    // A chat identity's link to its user is written once and never changed, so this instance may remember it: a turn
    // then reads only the profile (which does change). Absent links are not remembered, another instance may add one.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _links = new(StringComparer.Ordinal);

    // Profiles this instance read or wrote lately, for the turns that follow (PeopleOptions.ProfileFreshFor). Stamps
    // order reads against writes: a read that began before a write of the same profile never replaces what it wrote.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, FreshProfile> _profiles = new(StringComparer.Ordinal);
    private long _profileClock;

    /// <summary>A profile as last seen here; a null user marks one removed here, so a read from before cannot bring it back.</summary>
    private sealed record FreshProfile(PlatformUser? User, DateTimeOffset Until, long Stamp);

    /// <summary>Raised once when a user is created (sign-up awards hang off it).</summary>
    public event Func<PlatformUser, CancellationToken, Task>? UserCreated;

    public async Task<PlatformUser?> FindAsync(string userId, CancellationToken ct = default)
    {
        var doc = await store.ReadAsync(UsersContainer, userId, ProfileId, ct);
        return doc?.Deserialize(IdentityJson.Default.PlatformUser);
    }

    public Task<PlatformUser?> FindByIdentityAsync(string channel, string channelUserId, CancellationToken ct = default) =>
        FindByIdentityAsync(channel, channelUserId, recentIsFresh: false, ct);

    private async Task<PlatformUser?> FindByIdentityAsync(string channel, string channelUserId, bool recentIsFresh, CancellationToken ct)
    {
        var key = IdentityKey(channel, channelUserId);
        if (!_links.TryGetValue(key, out var userId))
        {
            var link = await store.ReadAsync(IdentitiesContainer, key, LinkId, ct);
            if (link is null) return null;
            userId = (string)link.Body["userId"]!;
            Remember(key, userId);
        }
        if (recentIsFresh && _profiles.TryGetValue(userId, out var recent) && recent is { User: { } user } && recent.Until > time.GetUtcNow())
            return user;
        var started = Interlocked.Read(ref _profileClock);
        var found = await FindAsync(userId, ct);
        if (found is null) ForgetProfile(userId);
        else RememberProfile(found, readStartedAt: started);
        return found;
    }

    /// <summary>Remembers a profile as read (started at that clock reading) or, without one, as just written here.</summary>
    private void RememberProfile(PlatformUser user, long? readStartedAt = null) => KeepProfile(user.Id, user, readStartedAt);

    private void ForgetProfile(string userId) => KeepProfile(userId, null, readStartedAt: null);

    private void KeepProfile(string userId, PlatformUser? user, long? readStartedAt)
    {
        var freshFor = options.Value.ProfileFreshFor;
        if (freshFor <= TimeSpan.Zero) return;
        if (_profiles.Count >= MaxCachedProfiles) _profiles.Clear();
        var until = user is null ? DateTimeOffset.MinValue : time.GetUtcNow() + freshFor;
        var entry = new FreshProfile(user, until, Interlocked.Increment(ref _profileClock));
        _profiles.AddOrUpdate(userId, entry, (_, held) => readStartedAt is { } started && held.Stamp > started ? held : entry);
    }

    private void Remember(string identityKey, string userId)
    {
        if (_links.Count >= MaxCachedLinks) _links.Clear();
        _links[identityKey] = userId;
    }

    /// <summary>The user behind a chat identity, created on first contact with <paramref name="initialRoles"/>.</summary>
    /// <param name="email">Only an email the channel verified for this installation: it links the identity to the user who
    /// owns it and applies <c>Admins:Emails</c>, so an address another tenant or workspace set must never be passed.</param>
    public async Task<PlatformUser> ResolveAsync(string channel, string channelUserId, string? displayName, string? email,
        IReadOnlyCollection<string> initialRoles, CancellationToken ct = default)
    {
        var existing = await FindByIdentityAsync(channel, channelUserId, recentIsFresh: true, ct);
        if (existing is not null)
        {
            if (email is not null && existing.Email is null) existing = await LearnEmailAsync(existing, email, ct);
            return existing;
        }

        var userId = await FindUserIdByEmailAsync(email, ct);
        PlatformUser? created = null;
        if (userId is null)
        {
            // A new user is created with this identity already in its profile, so linking it needs no second write.
            userId = "u_" + Guid.NewGuid().ToString("N");
            var roles = new SortedSet<string>(initialRoles.Where(Roles.IsKnown), StringComparer.Ordinal) { Roles.User };
            if (email is not null && IsConfiguredAdmin(email)) roles.Add(Roles.Admin);
            var user = new PlatformUser(userId, displayName ?? "Partner", email, roles.ToList(),
                [new ChatIdentityLink(channel, channelUserId)], "light", time.GetUtcNow());
            await store.CreateAsync(UsersContainer, userId, ProfileId, Serialize(user), ct: ct);
            if (email is not null) userId = await ClaimEmailAsync(email, userId, ct);
            if (userId == user.Id) created = user;
        }

        try
        {
            await store.CreateAsync(IdentitiesContainer, IdentityKey(channel, channelUserId), LinkId, new JsonObject { ["userId"] = userId }, ct: ct);
            Remember(IdentityKey(channel, channelUserId), userId);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
            // Another turn of the same person linked first; theirs wins and ours is never used. A profile made just now
            // for it is removed, unless an email link already points at it.
            if (created is not null && email is null) await TryDeleteProfileAsync(created.Id, ct);
            var winner = await FindByIdentityAsync(channel, channelUserId, ct);
            if (winner is not null) return winner;
            throw;
        }

        if (created is null)
            return await UpdateAsync(userId, u => u.Identities.Any(i => i.Channel == channel && i.Id == channelUserId)
                ? u
                : u with { Identities = [.. u.Identities, new ChatIdentityLink(channel, channelUserId)] }, ct);
        RememberProfile(created);
        logger.LogInformation("Created user {UserId} for a {Channel} identity", created.Id, channel);
        if (UserCreated is { } handler) await handler(created, ct);
        return created;
    }

    /// <summary>The user who owns <paramref name="email"/> (case-insensitive), or null.</summary>
    public async Task<PlatformUser?> FindByEmailAsync(string email, CancellationToken ct = default)
    {
        var userId = await FindUserIdByEmailAsync(email.Trim(), ct);
        return userId is null ? null : await FindAsync(userId, ct);
    }

    /// <summary>A user id (<c>u_...</c>) or an email, as admins type them.</summary>
    public Task<PlatformUser?> FindByIdOrEmailAsync(string idOrEmail, CancellationToken ct = default) =>
        idOrEmail.Contains('@') ? FindByEmailAsync(idOrEmail, ct) : FindAsync(idOrEmail.Trim(), ct);

    /// <summary>
    /// An existing user's email became known (a channel told us later): remember it, link it when no one else owns it,
    /// and make the user an admin when the email is one of <c>Admins:Emails</c>.
    /// </summary>
    private async Task<PlatformUser> LearnEmailAsync(PlatformUser user, string email, CancellationToken ct)
    {
        var owner = await FindUserIdByEmailAsync(email, ct);
        if (owner is null)
        {
            try
            {
                await store.CreateAsync(EmailsContainer, email.ToLowerInvariant(), LinkId, new JsonObject { ["userId"] = user.Id }, ct: ct);
                owner = user.Id;
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
            {
                owner = await FindUserIdByEmailAsync(email, ct);
            }
        }
        if (owner != user.Id)
        {
            // Someone else already proved this email; it must not make this identity theirs, nor an admin.
            logger.LogWarning("Email of user {UserId} is already linked to another user; not linked", user.Id);
            return user;
        }
        var isFirstAdmin = IsConfiguredAdmin(email);
        var updated = await UpdateAsync(user.Id, u => u with
        {
            Email = u.Email ?? email,
            Roles = isFirstAdmin && !u.Roles.Contains(Roles.Admin) ? [.. u.Roles, Roles.Admin] : u.Roles,
        }, ct);
        if (isFirstAdmin && !user.IsAdmin) logger.LogInformation("User {UserId} became an admin from Admins:Emails", user.Id);
        return updated;
    }

    private bool IsConfiguredAdmin(string email) =>
        options.Value.AdminEmails.Any(a => string.Equals(a.Trim(), email.Trim(), StringComparison.OrdinalIgnoreCase));

    public Task<PlatformUser> SetThemeAsync(string userId, string theme, CancellationToken ct = default) =>
        UpdateAsync(userId, u => u with { Theme = theme == "dark" ? "dark" : "light" }, ct);

    public Task<PlatformUser> GrantRoleAsync(string userId, string role, CancellationToken ct = default) =>
        UpdateAsync(userId, u => u.Roles.Contains(role) ? u : u with { Roles = [.. u.Roles, role] }, ct);

    public Task<PlatformUser> RevokeRoleAsync(string userId, string role, CancellationToken ct = default) =>
        UpdateAsync(userId, u => u with { Roles = u.Roles.Where(r => r != role).ToList() }, ct);

    /// <summary>All users (admin views), one page at a time.</summary>
    public async Task<(IReadOnlyList<PlatformUser> Users, string? ContinuationToken)> ListAsync(int pageSize, string? continuationToken, CancellationToken ct = default)
    {
        var page = await store.QueryAsync(UsersContainer, null, new DocumentQuery
        {
            OrderBy = "/createdAt",
            PageSize = Math.Clamp(pageSize, 1, 200),
            ContinuationToken = continuationToken,
        }, ct);
        return (page.Items.Select(d => Deserialize(d.Body)).ToList(), page.ContinuationToken);
    }

    /// <summary>Read, change, replace-if-match; retried when another writer got there first.</summary>
    public async Task<PlatformUser> UpdateAsync(string userId, Func<PlatformUser, PlatformUser> change, CancellationToken ct = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var doc = await store.ReadAsync(UsersContainer, userId, ProfileId, ct)
                      ?? throw new StorageException(StorageErrorKind.NotFound, $"User '{userId}' does not exist.");
            var current = Deserialize(doc.Body);
            var next = change(current);
            if (next == current) return current;
            try
            {
                await store.ReplaceAsync(UsersContainer, userId, ProfileId, Serialize(next), doc.ETag, ct: ct);
                RememberProfile(next);
                return next;
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed && attempt < MaxUpdateAttempts)
            {
                // Many writers of one profile (a person's identities on several channels arriving at once) take turns.
                await Task.Delay(Random.Shared.Next(1, 4 + 4 * Math.Min(attempt, 10)), ct);
            }
        }
    }

    private async Task<string?> FindUserIdByEmailAsync(string? email, CancellationToken ct)
    {
        if (email is null) return null;
        var link = await store.ReadAsync(EmailsContainer, email.ToLowerInvariant(), LinkId, ct);
        return (string?)link?.Body["userId"];
    }

    private async Task<string> ClaimEmailAsync(string email, string userId, CancellationToken ct)
    {
        try
        {
            await store.CreateAsync(EmailsContainer, email.ToLowerInvariant(), LinkId, new JsonObject { ["userId"] = userId }, ct: ct);
            return userId;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
            await store.DeleteAsync(UsersContainer, userId, ProfileId, ct: ct);
            ForgetProfile(userId);
            return await FindUserIdByEmailAsync(email, ct) ?? userId;
        }
    }

    private async Task TryDeleteProfileAsync(string userId, CancellationToken ct)
    {
        try
        {
            await store.DeleteAsync(UsersContainer, userId, ProfileId, ct: ct);
            ForgetProfile(userId);
        }
        catch (StorageException e)
        {
            logger.LogWarning("Unused profile {UserId} could not be removed: {Kind}", userId, e.Kind);
        }
    }

    private static string IdentityKey(string channel, string channelUserId) => $"{channel}:{channelUserId}";

    private static JsonObject Serialize(PlatformUser user) => JsonSerializer.SerializeToNode(user, IdentityJson.Default.PlatformUser)!.AsObject();

    private static PlatformUser Deserialize(JsonObject body) => body.Deserialize(IdentityJson.Default.PlatformUser)!;
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PlatformUser))]
internal sealed partial class IdentityJson : JsonSerializerContext;
