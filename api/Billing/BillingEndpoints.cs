using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Http;
using PartnerBot.Api.Identity;

namespace PartnerBot.Api.Billing;

public sealed record BillingOverviewResponse(string Mode, string? SubscriptionStatus, string? Tier, IReadOnlyList<BillingTier> Tiers,
    IReadOnlyList<PackOptions> Packs);

/// <summary>An ongoing cost of a deployment, reported by the runner or an admin; charged once per <see cref="ReportId"/>.</summary>
public sealed record CostReport(string? DeploymentId, string? ReportId, decimal Credits, string? Description);

public sealed record CostReportResponse(string DeploymentId, string PartnerId, string ReportId, decimal Credits, bool AlreadyApplied);

public static class BillingEndpoints
{
    /// <summary>An event's upper bound, whatever Http:RequestBodyLimits:Webhooks says.</summary>
    private const int MaxWebhookBytes = 512 * 1024;

    private static IResult TooLarge() => ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "Request too large",
        "The event is larger than this endpoint accepts (Http:RequestBodyLimits:Webhooks).");

    /// <summary>The public billing endpoints: the Stripe webhook, signed exports and the checkout return page.</summary>
    public static IEndpointRouteBuilder MapBillingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(BillingRoutes.StripeWebhook, WebhookAsync).WithName("StripeWebhook").WithTags("Billing")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithRequestBodyLimit(RequestBodyGroup.Webhooks);
        endpoints.MapGet(BillingRoutes.Export, ExportAsync).WithName("DownloadBillingExport").WithTags("Billing")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status410Gone);
        endpoints.MapGet(BillingRoutes.ReturnPage, (HttpRequest request) => Results.Content(ReturnHtml(request.Query["result"].ToString()),
            "text/html; charset=utf-8")).ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>The authenticated billing endpoints (added to the REST API group).</summary>
    public static RouteGroupBuilder MapBillingApi(this RouteGroupBuilder api)
    {
        api.MapGet(BillingRoutes.Overview, OverviewAsync).WithName("GetBilling").WithTags("Billing").Produces<BillingOverviewResponse>();
        api.MapPost(BillingRoutes.Costs, ReportCostAsync).WithName("ReportCost").WithTags("Billing").Accepts<CostReport>("application/json")
            .Produces<CostReportResponse>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> WebhookAsync(HttpRequest request, StripeWebhookProcessor processor, ILoggerFactory loggers,
        CancellationToken ct)
    {
        if (request.ContentLength > MaxWebhookBytes) return TooLarge();
        // The signature covers the exact bytes Stripe sent, so the body is read raw, never re-serialized. Its length is
        // held to Http:RequestBodyLimits:Webhooks while it streams in (RequestBodyLimitMiddleware).
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var json = await reader.ReadToEndAsync(ct);
        try
        {
            var outcome = await processor.ProcessAsync(json, request.Headers["Stripe-Signature"].ToString(), ct);
            return outcome == WebhookOutcome.BadSignature
                ? ApiProblems.BadRequest("The Stripe-Signature header does not match the body, or it is too old.")
                : Results.Json(new { received = true, outcome = outcome.ToString() });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            loggers.CreateLogger("PartnerBot.Billing.Webhook").LogError(e, "Stripe event processing failed; Stripe will retry.");
            return ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "Not processed", "The event could not be processed now; it will be retried.");
        }
    }

    private static async Task<IResult> ExportAsync(string token, SignedLinks links, BillingReports reports, BillingService billing,
        UserDirectory users, TimeProvider clock, CancellationToken ct)
    {
        var (link, problem) = await links.ValidateAsync(token, ct);
        if (problem == SignedLinkProblem.Expired)
            return ApiProblems.Problem(StatusCodes.Status410Gone, "Link expired", "This download link has expired. Ask for a new one in the chat.");
        if (link is null) return ApiProblems.Forbidden("This download link is not valid.");

        switch (link.Purpose)
        {
            case BillingRoutes.TransactionsCsv:
                var filter = ExportFilters.Parse(link.Arguments);
                var csv = await reports.CsvAsync(link.UserId, filter, ct);
                return Results.File(Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8", "credit-transactions.csv");
            case BillingRoutes.StatementPdf:
                var year = int.Parse(link.Arguments["year"], CultureInfo.InvariantCulture);
                var month = int.Parse(link.Arguments["month"], CultureInfo.InvariantCulture);
                var (from, to) = BillingReports.MonthRange(year, month);
                var invoices = await billing.ListInvoicesAsync(link.UserId, from, to, ct);
                var statement = await reports.StatementAsync(link.UserId, year, month, invoices, ct);
                var user = await users.FindAsync(link.UserId, ct);
                return Results.File(StatementPdf.Build(statement, user?.DisplayName ?? link.UserId), "application/pdf",
                    $"statement-{year:D4}-{month:D2}.pdf");
            case BillingRoutes.CostChartPng:
                var days = await reports.DailySpendAsync(link.UserId, clock.GetUtcNow(), 30, ct);
                var dark = link.Arguments.GetValueOrDefault("theme") == "dark";
                return Results.File(PngChart.DailyBars(days.Select(d => d.Credits).ToList(), dark), "image/png");
            default:
                return ApiProblems.Forbidden("This download link is not valid.");
        }
    }

    private static async Task<IResult> OverviewAsync(ICurrentCaller caller, BillingService billing, CancellationToken ct)
    {
        var account = await billing.GetAccountAsync(caller.UserId, ct);
        var tiers = billing.Mode == BillingMode.Disabled ? [] : await billing.ListTiersAsync(ct);
        return ApiResults.Ok(new BillingOverviewResponse(billing.Mode.ToString(), account.SubscriptionStatus, account.TierName, tiers, billing.Packs));
    }

    private static async Task<IResult> ReportCostAsync(HttpRequest request, ICurrentCaller caller, IDeploymentService deployments,
        ICreditLedger ledger, CancellationToken ct)
    {
        if (!caller.IsAdmin) return ApiProblems.Forbidden("Only admins (or the runner's admin key) may report costs.");
        var (report, problem) = await ApiInput.ReadJsonAsync<CostReport>(request, ct);
        if (problem is not null) return problem;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(report!.DeploymentId)) errors["deploymentId"] = ["deploymentId is required."];
        if (string.IsNullOrWhiteSpace(report.ReportId) || report.ReportId.Length > 200) errors["reportId"] = ["reportId is required (at most 200 characters)."];
        if (report.Credits <= 0 || report.Credits > 1_000_000) errors["credits"] = ["credits must be more than 0 and at most 1000000."];
        if (errors.Count > 0) return ApiProblems.Validation(errors, "The cost report is not valid.");

        var deployment = await deployments.GetAsync(new DeploymentCaller(caller.UserId, true), report.DeploymentId!, ct);
        if (deployment is null) return ApiProblems.NotFound($"There is no deployment {report.DeploymentId}.");
        var reference = CreditReferences.CostReport(deployment.Id, report.ReportId!);
        var result = await ledger.DebitAsync(deployment.PartnerId, report.Credits, SpendPolicy.AnyBucket, reference, "cost-report", ct);
        return result switch
        {
            DebitResult.Insufficient insufficient => ApiProblems.Conflict(
                $"The partner's balance ({BillingReports.Number(insufficient.Available)} credits) cannot cover {BillingReports.Number(report.Credits)} credits."),
            _ => ApiResults.Ok(new CostReportResponse(deployment.Id, deployment.PartnerId, report.ReportId!, report.Credits,
                result is DebitResult.AlreadyApplied)),
        };
    }

    private static string ReturnHtml(string result)
    {
        var message = result == "success"
            ? "Thank you: your payment was received. Your credits appear in the chat as soon as Stripe confirms it."
            : "The payment was cancelled; nothing was charged.";
        return $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>PartnerBot billing</title></head>" +
               $"<body style=\"font-family:sans-serif;margin:3em\"><h1>PartnerBot billing</h1><p>{message}</p><p>You can close this tab and return to the chat.</p></body></html>";
    }
}

/// <summary>The transaction filters as carried by card data and signed export links (all optional strings).</summary>
public static class ExportFilters
{
    public static Dictionary<string, string> ToArguments(CreditTransactionFilter filter)
    {
        var args = new Dictionary<string, string>();
        if (filter.Kind is { } kind) args["kind"] = kind.ToString();
        if (filter.From is { } from) args["from"] = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (filter.To is { } to) args["to"] = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (filter.DeploymentId is { } deployment) args["deployment"] = deployment;
        return args;
    }

    public static CreditTransactionFilter Parse(IReadOnlyDictionary<string, string> args) => new(
        args.TryGetValue("kind", out var kind) && Enum.TryParse<CreditTransactionKind>(kind, true, out var k) ? k : null,
        args.TryGetValue("from", out var from) && TryDay(from, out var f) ? f : null,
        args.TryGetValue("to", out var to) && TryDay(to, out var t) ? t : null,
        args.GetValueOrDefault("deployment") is { Length: > 0 } d ? d : null);

    public static bool TryDay(string text, out DateTimeOffset day)
    {
        var ok = DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date);
        day = ok ? new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : default;
        return ok;
    }
}
