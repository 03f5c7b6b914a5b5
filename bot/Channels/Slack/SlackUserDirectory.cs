using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PartnerBot.Bot.Hosting;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>
/// Fills a Slack identity's display name and email from users.info, remembered for an hour. The email is given only for
/// a member of the installed workspace: Slack vouches for it there, while a guest from another workspace (Slack
/// Connect) brings an address its own workspace set, which must neither link to a user here nor make anyone an admin.
/// At most <see cref="SlackOptions.UserCacheSize"/> users are remembered; past it the least recently used is forgotten.
/// </summary>
public sealed class SlackUserDirectory(SlackWebApiClient api, SlackInstalledWorkspace workspace, TimeProvider time,
    IOptions<SlackOptions> options, ILogger<SlackUserDirectory> log)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    /// <summary>A user Slack could not describe is asked about again only after this, so turns do not each pay a call.</summary>
    private static readonly TimeSpan FailureLifetime = TimeSpan.FromMinutes(5);
    private readonly BoundedCache<string, (string? Name, string? Email, DateTimeOffset Expires)> cache =
        new(options.Value.UserCacheSize, StringComparer.Ordinal);

    /// <summary>Users remembered now (at most <see cref="SlackOptions.UserCacheSize"/>).</summary>
    public int CachedUsers => cache.Count;

    public async Task<ChatIdentity> EnrichAsync(ChatIdentity identity, string userId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!cache.TryGetValue(identity.UserId, out var known) || known.Expires <= now)
        {
            try
            {
                var user = await api.GetUserAsync(userId, ct);
                var profile = user["profile"];
                var name = NonEmpty(SlackTurnMapper.Str(profile, "display_name")) ?? NonEmpty(SlackTurnMapper.Str(profile, "real_name"))
                    ?? NonEmpty(SlackTurnMapper.Str(user, "real_name")) ?? SlackTurnMapper.Str(user, "name");
                var email = await IsInstalledWorkspaceMemberAsync(user, ct) ? NonEmpty(SlackTurnMapper.Str(profile, "email")) : null;
                known = (name, email, now + Lifetime);
                cache.Set(identity.UserId, known);
            }
            catch (SlackApiException e)
            {
                // The turn still runs, only without a name or email.
                log.LogWarning("Slack users.info for {User} failed: {Error}", identity.UserId, e.Error);
                cache.Set(identity.UserId, (null, null, now + FailureLifetime));
                return identity;
            }
        }
        return identity with { DisplayName = known.Name ?? identity.DisplayName, Email = known.Email ?? identity.Email };
    }

    private async Task<bool> IsInstalledWorkspaceMemberAsync(JsonObject user, CancellationToken ct)
    {
        if (user["is_email_confirmed"] is JsonValue confirmed && confirmed.TryGetValue<bool>(out var isConfirmed) && !isConfirmed)
            return false;
        var installed = await workspace.TeamIdAsync(ct);
        var home = SlackTurnMapper.Str(user, "team_id");
        if (installed is not null && string.Equals(home, installed, StringComparison.Ordinal)) return true;
        log.LogInformation("Slack user {User} is not a member of the installed workspace; their email is not used", SlackTurnMapper.Str(user, "id"));
        return false;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
