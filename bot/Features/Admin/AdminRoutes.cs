using PartnerBot.Api.Identity;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bot.Features.Admin;

/// <summary>
/// Admin commands in the chat: <c>admin grant|revoke USER ROLE</c>, <c>admin award USER AMOUNT [reason]</c>,
/// <c>admin users</c>, <c>admin deployments</c>, <c>admin sync</c>. USER is a user id or an email. The dialog checks
/// the admin role itself (after learning the email, so a first admin listed in <c>Admins:Emails</c> becomes one);
/// authorisation: <see cref="Permissions"/>.
/// </summary>
public sealed class AdminRoutes : IChatFeature
{
    public const string Admin = "admin";
    public const string UsersPage = "admin.users";
    public const string DeploymentsPage = "admin.deployments";

    public int Order => 80;

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<Dialog, AdminDialog>();
        services.AddChatIdentityEmails();
    }

    public void MapRoutes(ChatRouteBuilder routes) =>
        routes.Dialog<AdminDialog>(AdminDialog.DialogId, audience: Roles.Admin)
            .Command(Admin, d => d.CommandAsync, new("admin grant|revoke|award|users|deployments|sync", "Administer users, roles, credits and the platform catalog"))
            .Verb(UsersPage, d => d.UsersPageAsync)
            .Verb(DeploymentsPage, d => d.DeploymentsPageAsync);
}
