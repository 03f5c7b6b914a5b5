using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PartnerBot.Api.Http;

namespace PartnerBot.Api.Credits;

public sealed record CreditBalanceResponse(string UserId, decimal Awarded, decimal Subscription, decimal TopUp, decimal Total);

public sealed record CreditTransactionListResponse(IReadOnlyList<CreditTransaction> Items, string? ContinuationToken);

public static class CreditEndpoints
{
    public static RouteGroupBuilder MapCreditEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet(ApiRoutes.Credits, BalanceAsync).WithName("GetCredits").WithTags("Credits").Produces<CreditBalanceResponse>();
        api.MapGet(ApiRoutes.CreditTransactions, TransactionsAsync).WithName("ListCreditTransactions").WithTags("Credits")
            .Produces<CreditTransactionListResponse>();
        return api;
    }

    private static async Task<IResult> BalanceAsync(ICurrentCaller caller, ICreditLedger ledger, CancellationToken ct)
    {
        var balance = await ledger.GetBalanceAsync(caller.UserId, ct);
        return ApiResults.Ok(new CreditBalanceResponse(caller.UserId, balance.Awarded, balance.Subscription, balance.TopUp, balance.Total));
    }

    private static async Task<IResult> TransactionsAsync(HttpRequest request, ICurrentCaller caller, ICreditLedger ledger, CancellationToken ct)
    {
        var (pageSize, problem) = ApiInput.PageSize(request.Query["pageSize"], 50, 200);
        if (problem is not null) return problem;
        var continuation = request.Query["continuationToken"].ToString() is { Length: > 0 } token ? token : null;
        var page = await ledger.ListTransactionsAsync(caller.UserId, continuation, pageSize, ct);
        return ApiResults.Ok(new CreditTransactionListResponse(page.Items, page.ContinuationToken));
    }
}
