namespace PartnerBot.Api.Identity;

/// <summary>What a person is doing, as far as an authorisation decision needs to know.</summary>
/// <param name="UserId">The platform user id.</param>
/// <param name="Roles">Every role the person holds (chat profile and, for the REST API, the key's roles).</param>
public sealed record Actor(string UserId, IReadOnlyCollection<string> Roles)
{
    public static Actor Of(PlatformUser user) => new(user.Id, user.Roles);

    public bool Has(string role) => Roles.Contains(role, StringComparer.OrdinalIgnoreCase);

    public bool IsAdmin => Has(Identity.Roles.Admin);
}

/// <summary>
/// Every authorisation decision of support, admin commands and the people API, in one place. Dialogs and endpoints
/// ask here and never test roles themselves.
/// </summary>
public static class Permissions
{
    /// <summary>Support staff (and admins) handle tickets: list the queue, claim, answer, resolve, close.</summary>
    public static bool CanHandleTickets(Actor actor) => actor.IsAdmin || actor.Has(Roles.Support);

    /// <summary>A ticket is readable by the person who raised it and by support staff.</summary>
    public static bool CanReadTicket(Actor actor, string requesterId) => actor.UserId == requesterId || CanHandleTickets(actor);

    /// <summary>Only the person who raised a ticket answers support on it as the customer.</summary>
    public static bool CanAnswerAsRequester(Actor actor, string requesterId) => actor.UserId == requesterId;

    /// <summary>Raising a support request is open to every signed-in person.</summary>
    public static bool CanRaiseTicket(Actor actor) => !string.IsNullOrEmpty(actor.UserId);

    /// <summary>
    /// A customer's deployments (state only, never inputs or outputs) are visible to an admin, and to a support member
    /// who holds (has claimed) one of that customer's open tickets.
    /// </summary>
    public static bool CanSeeCustomerDeployments(Actor actor, string customerId, IEnumerable<HeldTicket> heldTickets) =>
        actor.IsAdmin
        || (actor.Has(Roles.Support) && heldTickets.Any(t => t.RequesterId == customerId && t.AssigneeId == actor.UserId && t.IsOpen));

    /// <summary>Admin commands (grant, revoke, award, users, deployments, sync) and the people API.</summary>
    public static bool CanAdminister(Actor actor) => actor.IsAdmin;

    /// <summary>Granting roles is for admins, and an admin cannot take the admin role away from themselves (no lock-out).</summary>
    public static string? CheckRoleChange(Actor actor, string targetUserId, string role, bool grant)
    {
        if (!CanAdminister(actor)) return "Only admins can change roles.";
        if (!Roles.IsKnown(role)) return $"'{role}' is not a role. Roles: {string.Join(", ", Roles.All)}.";
        if (!grant && role == Roles.Admin && targetUserId == actor.UserId) return "You cannot revoke your own admin role.";
        if (!grant && role == Roles.User) return "Every person keeps the user role.";
        return null;
    }
}

/// <summary>The facts of a ticket that deployment visibility depends on.</summary>
public sealed record HeldTicket(string RequesterId, string? AssigneeId, bool IsOpen);
