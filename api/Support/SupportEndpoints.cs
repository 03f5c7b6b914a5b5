using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Http;
using PartnerBot.Api.Identity;

namespace PartnerBot.Api.Support;

/// <summary>REST routes of support and people administration.</summary>
public static class SupportApiRoutes
{
    /// <summary>GET: support staff and admins see every ticket (<c>?status=</c>); anyone else sees only their own tickets.</summary>
    public const string Tickets = "/api/tickets";

    /// <summary>GET: admins only (403 problem for others): users with roles, chat identities and balances.</summary>
    public const string Users = "/api/users";
}

public sealed record TicketListResponse(IReadOnlyList<TicketView> Items, string? ContinuationToken, string Scope);

public sealed record UserBalances(decimal Awarded, decimal Subscription, decimal TopUp, decimal Total);

public sealed record UserIdentityView(string Channel, string Id);

public sealed record UserView(string Id, string DisplayName, string? Email, IReadOnlyList<string> Roles,
    IReadOnlyList<UserIdentityView> Identities, UserBalances Balances, DateTimeOffset CreatedAt);

public sealed record UserListResponse(IReadOnlyList<UserView> Items, string? ContinuationToken);

public static class SupportEndpoints
{
    /// <summary>Maps <c>GET /api/tickets</c> and <c>GET /api/users</c> into the authenticated API group.</summary>
    public static RouteGroupBuilder MapSupportEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet(SupportApiRoutes.Tickets, ListTicketsAsync).WithName("ListTickets").WithTags("Support")
            .Produces<TicketListResponse>().ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet(SupportApiRoutes.Users, ListUsersAsync).WithName("ListUsers").WithTags("People")
            .Produces<UserListResponse>().ProducesProblem(StatusCodes.Status403Forbidden);
        return api;
    }

    /// <summary>The caller's roles: the key's (or token's) plus those of the platform user behind it.</summary>
    public static async Task<Actor> ActorAsync(ICurrentCaller caller, UserDirectory users, CancellationToken ct)
    {
        var user = await users.FindAsync(caller.UserId, ct);
        var roles = new HashSet<string>(caller.Roles, StringComparer.OrdinalIgnoreCase);
        if (user is not null) roles.UnionWith(user.Roles);
        return new Actor(caller.UserId, roles);
    }

    private static async Task<IResult> ListTicketsAsync(HttpRequest request, ICurrentCaller caller, UserDirectory users, TicketStore tickets,
        CancellationToken ct)
    {
        var (pageSize, sizeProblem) = ApiInput.PageSize(request.Query["pageSize"], 20, 100);
        if (sizeProblem is not null) return sizeProblem;
        TicketStatus? status = null;
        if (request.Query["status"].ToString() is { Length: > 0 } raw)
        {
            if (!Enum.TryParse<TicketStatus>(raw, ignoreCase: true, out var parsed) || int.TryParse(raw, out _))
                return ApiProblems.BadRequest($"status must be one of {string.Join(", ", Enum.GetNames<TicketStatus>())}.");
            status = parsed;
        }
        var continuation = request.Query["continuationToken"].ToString() is { Length: > 0 } token ? token : null;
        var actor = await ActorAsync(caller, users, ct);
        if (Permissions.CanHandleTickets(actor))
        {
            var (items, next) = await tickets.ListAllAsync(status, continuation, pageSize, ct);
            return ApiResults.Ok(new TicketListResponse(items.Select(TicketView.From).ToList(), next, "all"));
        }
        var (own, nextOwn) = await tickets.ListForRequesterAsync(caller.UserId, continuation, pageSize, ct);
        var visible = own.Where(t => status is null || t.Status == status).Select(TicketView.From).ToList();
        return ApiResults.Ok(new TicketListResponse(visible, nextOwn, "own"));
    }

    private static async Task<IResult> ListUsersAsync(HttpRequest request, ICurrentCaller caller, UserDirectory users, ICreditLedger ledger,
        CancellationToken ct)
    {
        var actor = await ActorAsync(caller, users, ct);
        if (!Permissions.CanAdminister(actor)) return ApiProblems.Forbidden("Only admins may list users.");
        var (pageSize, sizeProblem) = ApiInput.PageSize(request.Query["pageSize"], 50, 200);
        if (sizeProblem is not null) return sizeProblem;
        var continuation = request.Query["continuationToken"].ToString() is { Length: > 0 } token ? token : null;
        var (page, next) = await users.ListAsync(pageSize, continuation, ct);
        var views = new List<UserView>(page.Count);
        foreach (var user in page) views.Add(await ViewAsync(user, ledger, ct));
        return ApiResults.Ok(new UserListResponse(views, next));
    }

    public static async Task<UserView> ViewAsync(PlatformUser user, ICreditLedger ledger, CancellationToken ct)
    {
        var b = await ledger.GetBalanceAsync(user.Id, ct);
        return new UserView(user.Id, user.DisplayName, user.Email, user.Roles,
            user.Identities.Select(i => new UserIdentityView(i.Channel, i.Id)).ToList(),
            new UserBalances(b.Awarded, b.Subscription, b.TopUp, b.Total), user.CreatedAt);
    }
}
