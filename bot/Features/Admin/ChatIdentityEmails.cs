using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Identity;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Channels.Teams;
using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bot.Features.Admin;

/// <summary>Asks a channel for the email of one of its users (Slack fills it on every turn from users.info already).</summary>
public interface IChatIdentityEnricher
{
    string Channel { get; }

    /// <summary>
    /// The email of <paramref name="who"/> when the channel vouches for it within this installation, or null. Only such an
    /// email may link the identity to a user or apply <c>Admins:Emails</c>.
    /// </summary>
    Task<string?> FindEmailAsync(JsonObject conversationAddress, ChatIdentity who, CancellationToken ct);
}

/// <summary>
/// Teams: the conversation roster (<c>GET v3/conversations/{id}/members</c>) gives <c>email</c> / <c>userPrincipalName</c>,
/// trusted only for users of the bot's own tenant (<c>MicrosoftAppTenantId</c>): another tenant's directory can hold any
/// address. Without a configured tenant no Teams email is trusted.
/// </summary>
internal sealed class TeamsRosterEmails(TeamsProactiveChannel teams, IOptions<BotFrameworkOptions> options, ILogger<TeamsRosterEmails> log)
    : IChatIdentityEnricher
{
    public string Channel => TeamsRoutes.ChannelId;

    public async Task<string?> FindEmailAsync(JsonObject conversationAddress, ChatIdentity who, CancellationToken ct)
    {
        var home = options.Value.MicrosoftAppTenantId;
        if (string.IsNullOrWhiteSpace(home) || !string.Equals(who.TenantId, home.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            log.LogInformation("Teams user {UserId} of tenant {TenantId} is outside MicrosoftAppTenantId; their email is not used",
                who.UserId, who.TenantId);
            return null;
        }
        try
        {
            var members = await teams.GetMembersAsync(conversationAddress, ct);
            var member = members.FirstOrDefault(m => m.AadObjectId == who.UserId || m.Id == who.UserId);
            if (Text(member?.Extra, "tenantId", requireAt: false) is { } memberTenant && !string.Equals(memberTenant, home.Trim(), StringComparison.OrdinalIgnoreCase))
                return null;
            return Text(member?.Extra, "email") ?? Text(member?.Extra, "userPrincipalName");
        }
        catch (Exception e) when (e is ConnectorException or HttpRequestException or ArgumentException or TaskCanceledException)
        {
            // The turn goes on without an email; the next turn asks again.
            log.LogWarning("Teams roster lookup failed: {Error}", e.Message);
            return null;
        }
    }

    private static string? Text(Dictionary<string, JsonElement>? extra, string name, bool requireAt = true) =>
        extra is not null && extra.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
        && (!requireAt || s.Contains('@'))
            ? s : null;
}

/// <summary>
/// Links a chat user's email when the channel can tell it (and so applies <c>Admins:Emails</c> to existing users).
/// Called lazily by the features that need the email (support requests, staff actions, admin commands).
/// </summary>
public sealed class ChatIdentityEmails(IEnumerable<IChatIdentityEnricher> enrichers, UserDirectory users)
{
    /// <summary>The turn's user, with the email filled in when it was unknown and the channel knows it.</summary>
    public async Task<PlatformUser> EnsureEmailAsync(TurnContext turn, CancellationToken ct)
    {
        if (turn.User.Email is not null) return turn.User;
        var enricher = enrichers.FirstOrDefault(e => e.Channel == turn.Input.Channel);
        if (enricher is null) return turn.User;
        var email = await enricher.FindEmailAsync(turn.Responder.ConversationAddress, turn.Input.From, ct);
        if (email is null) return turn.User;
        return await users.ResolveAsync(turn.Input.From.Channel, turn.Input.From.UserId, turn.User.DisplayName, email, [], ct);
    }
}

public static class ChatIdentityEmailsRegistration
{
    /// <summary>Registers the email linker and the Teams roster lookup once, whichever feature asks first.</summary>
    public static IServiceCollection AddChatIdentityEmails(this IServiceCollection services)
    {
        services.TryAddSingleton<ChatIdentityEmails>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatIdentityEnricher, TeamsRosterEmails>());
        return services;
    }
}
