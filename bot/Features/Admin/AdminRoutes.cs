using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bot.Features.Admin;

/// <summary>
/// Admin commands in the chat (admin role only; everyone else is told so). USER is a user id or an email.
///
/// | Chat command                        | Card verbs                         | Dialog |
/// |-------------------------------------|------------------------------------|--------|
/// | admin grant USER ROLE               |                                    | admin  |
/// | admin revoke USER ROLE              |                                    | admin  |
/// | admin award USER AMOUNT [reason]    |                                    | admin  |
/// | admin users                         | admin.users {continuationToken}    | admin  |
/// | admin deployments                   | admin.deployments {continuationToken} | admin |
/// | admin sync                          |                                    | admin  |
/// | admin                               | admin                              | admin (help) |
/// Authorisation: <see cref="PartnerBot.Api.Identity.Permissions"/>.
/// </summary>
public static class AdminRoutes
{
    public const string Verb = "admin";
    public const string UsersPage = "admin.users";
    public const string DeploymentsPage = "admin.deployments";

    public static IServiceCollection AddAdminChat(this IServiceCollection services)
    {
        services.AddSingleton(new ChatRoute(Verb, "Administration", AdminDialog.DialogId));
        services.AddSingleton<Dialog, AdminDialog>();
        services.AddChatIdentityEmails();
        return services;
    }
}
