using PartnerBot.Api.Identity;

namespace PartnerBot.Tests.Support;

/// <summary>The authorisation rules on their own.</summary>
public sealed class PermissionsTests
{
    private static readonly Actor Partner = new("u_partner", [Roles.User, Roles.Partner]);
    private static readonly Actor OtherPartner = new("u_other", [Roles.User, Roles.Partner]);
    private static readonly Actor Staff = new("u_staff", [Roles.User, Roles.Support]);
    private static readonly Actor Admin = new("u_admin", [Roles.User, Roles.Admin]);

    [Fact]
    public void Tickets_are_handled_by_support_and_admins_and_read_by_their_requester()
    {
        Assert.False(Permissions.CanHandleTickets(Partner));
        Assert.True(Permissions.CanHandleTickets(Staff));
        Assert.True(Permissions.CanHandleTickets(Admin));
        Assert.True(Permissions.CanReadTicket(Partner, Partner.UserId));
        Assert.False(Permissions.CanReadTicket(OtherPartner, Partner.UserId));
        Assert.True(Permissions.CanReadTicket(Staff, Partner.UserId));
        Assert.True(Permissions.CanAnswerAsRequester(Partner, Partner.UserId));
        Assert.False(Permissions.CanAnswerAsRequester(Staff, Partner.UserId));
    }

    [Fact]
    public void Customer_deployments_need_an_open_ticket_held_by_the_support_member()
    {
        Assert.False(Permissions.CanSeeCustomerDeployments(Staff, Partner.UserId, []));
        Assert.False(Permissions.CanSeeCustomerDeployments(Staff, Partner.UserId, [new HeldTicket(Partner.UserId, "u_someone", true)]));
        Assert.False(Permissions.CanSeeCustomerDeployments(Staff, Partner.UserId, [new HeldTicket(Partner.UserId, Staff.UserId, false)]));
        Assert.False(Permissions.CanSeeCustomerDeployments(Staff, Partner.UserId, [new HeldTicket(OtherPartner.UserId, Staff.UserId, true)]));
        Assert.True(Permissions.CanSeeCustomerDeployments(Staff, Partner.UserId, [new HeldTicket(Partner.UserId, Staff.UserId, true)]));
        Assert.False(Permissions.CanSeeCustomerDeployments(Partner, OtherPartner.UserId, [new HeldTicket(OtherPartner.UserId, Partner.UserId, true)]));
        Assert.True(Permissions.CanSeeCustomerDeployments(Admin, Partner.UserId, []));
    }

    [Fact]
    public void Role_changes_are_for_admins_with_known_roles_and_no_self_lockout()
    {
        Assert.NotNull(Permissions.CheckRoleChange(Staff, Partner.UserId, Roles.Support, grant: true));
        Assert.Null(Permissions.CheckRoleChange(Admin, Partner.UserId, Roles.Support, grant: true));
        Assert.NotNull(Permissions.CheckRoleChange(Admin, Partner.UserId, "wizard", grant: true));
        Assert.NotNull(Permissions.CheckRoleChange(Admin, Admin.UserId, Roles.Admin, grant: false));
        Assert.NotNull(Permissions.CheckRoleChange(Admin, Partner.UserId, Roles.User, grant: false));
        Assert.Null(Permissions.CheckRoleChange(Admin, Partner.UserId, Roles.Partner, grant: false));
    }
}
