using System.Globalization;
using System.Text;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;

namespace PartnerBot.Api.Billing;

/// <summary>One month's statement: opening and closing balance, what was added by source, what each deployment cost.</summary>
public sealed record MonthlyStatement(
    string UserId,
    int Year,
    int Month,
    decimal OpeningBalance,
    IReadOnlyList<StatementLine> Added,
    IReadOnlyList<StatementLine> Charges,
    decimal ClosingBalance,
    IReadOnlyList<StripeInvoiceView> Invoices)
{
    public decimal TotalAdded => Added.Sum(l => l.Credits);
    public decimal TotalCharged => Charges.Sum(l => l.Credits);
    public string Title => new DateTime(Year, Month, 1).ToString("MMMM yyyy", CultureInfo.InvariantCulture);
}

/// <summary>A statement line; charges are positive numbers of credits spent (net of refunds).</summary>
public sealed record StatementLine(string Label, decimal Credits);

/// <summary>Credits spent on one deployment in the current and the previous month.</summary>
public sealed record ProjectCost(string DeploymentId, string Name, decimal CurrentMonth, decimal PreviousMonth);

public sealed record DailySpend(DateOnly Day, decimal Credits);

/// <summary>Reads the ledger for exports, statements and project costs.</summary>
public sealed class BillingReports(ICreditLedger ledger, IDeploymentService deployments)
{
    private const int MaxRows = 20_000;

    public static (DateTimeOffset From, DateTimeOffset To) MonthRange(int year, int month)
    {
        var from = new DateTimeOffset(year, month, 1, 0, 0, 0, TimeSpan.Zero);
        return (from, from.AddMonths(1));
    }

    /// <summary>Every transaction matching <paramref name="filter"/>, oldest first.</summary>
    public async Task<IReadOnlyList<CreditTransaction>> AllAsync(string userId, CreditTransactionFilter filter, CancellationToken ct)
    {
        var rows = new List<CreditTransaction>();
        string? continuation = null;
        do
        {
            var page = await ledger.QueryTransactionsAsync(userId, filter with { Ascending = true }, continuation, 500, ct);
            rows.AddRange(page.Items);
            continuation = page.ContinuationToken;
        } while (continuation is not null && rows.Count < MaxRows);
        return rows;
    }

    public async Task<string> CsvAsync(string userId, CreditTransactionFilter filter, CancellationToken ct)
    {
        var rows = await AllAsync(userId, filter, ct);
        var csv = new StringBuilder("date,kind,amount,awarded,subscription,topUp,deployment,reference,sandbox,balanceAfter\r\n");
        foreach (var t in rows)
        {
            csv.Append(string.Join(',',
                t.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                t.Kind.ToString(),
                Number(t.Amount), Number(t.Buckets.Awarded), Number(t.Buckets.Subscription), Number(t.Buckets.TopUp),
                Field(CreditReferences.DeploymentId(t.Reference) ?? ""),
                Field(t.Reference),
                CreditReferences.IsSandbox(t.Reference) ? "true" : "false",
                Number(t.BalanceAfter.Total))).Append("\r\n");
        }
        csv.Append(string.Join(',', "total", "", Number(rows.Sum(r => r.Amount)), "", "", "", "", "", "", "")).Append("\r\n");
        return csv.ToString();
    }

    public async Task<MonthlyStatement> StatementAsync(string userId, int year, int month, IReadOnlyList<StripeInvoiceView> invoices,
        CancellationToken ct)
    {
        var (from, to) = MonthRange(year, month);
        // Balances are derived from amounts, not from the last row's balance: transactions in the same millisecond
        // have no defined order.
        var since = await AllAsync(userId, new CreditTransactionFilter(From: from), ct);
        var opening = (await ledger.GetBalanceAsync(userId, ct)).Total - since.Sum(t => t.Amount);
        var rows = since.Where(t => t.At < to).ToList();

        var charges = rows.Where(IsCharge).ToList();
        var added = rows.Except(charges)
            .GroupBy(t => SourceLabel(t))
            .Select(g => new StatementLine(g.Key, g.Sum(t => t.Amount)))
            .OrderBy(l => l.Label, StringComparer.Ordinal)
            .ToList();
        var names = await DeploymentNamesAsync(userId, charges.Select(t => CreditReferences.DeploymentId(t.Reference)), ct);
        var chargeLines = charges
            .GroupBy(t => CreditReferences.DeploymentId(t.Reference))
            .Select(g => new StatementLine(g.Key is null ? "Other charges" : names.GetValueOrDefault(g.Key, g.Key), -g.Sum(t => t.Amount)))
            .OrderBy(l => l.Label, StringComparer.Ordinal)
            .ToList();
        var closing = opening + rows.Sum(t => t.Amount);
        return new MonthlyStatement(userId, year, month, opening, added, chargeLines, closing, invoices);
    }

    public async Task<IReadOnlyList<ProjectCost>> ProjectCostsAsync(string userId, DateTimeOffset now, CancellationToken ct)
    {
        var (currentFrom, currentTo) = MonthRange(now.Year, now.Month);
        var previousFrom = currentFrom.AddMonths(-1);
        var rows = (await AllAsync(userId, new CreditTransactionFilter(From: previousFrom, To: currentTo), ct)).Where(IsCharge).ToList();
        var ids = rows.Select(t => CreditReferences.DeploymentId(t.Reference)).OfType<string>().Distinct().ToList();
        var names = await DeploymentNamesAsync(userId, ids, ct);
        return ids.Select(id =>
            {
                var mine = rows.Where(t => CreditReferences.DeploymentId(t.Reference) == id).ToList();
                return new ProjectCost(id, names.GetValueOrDefault(id, id),
                    -mine.Where(t => t.At >= currentFrom).Sum(t => t.Amount),
                    -mine.Where(t => t.At < currentFrom).Sum(t => t.Amount));
            })
            .OrderByDescending(p => p.CurrentMonth).ThenBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Credits spent per day over the last <paramref name="days"/> days (net of refunds, never below zero).</summary>
    public async Task<IReadOnlyList<DailySpend>> DailySpendAsync(string userId, DateTimeOffset now, int days, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var first = today.AddDays(-(days - 1));
        var from = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var rows = (await AllAsync(userId, new CreditTransactionFilter(From: from, To: from.AddDays(days)), ct)).Where(IsCharge).ToList();
        return Enumerable.Range(0, days).Select(i =>
        {
            var day = first.AddDays(i);
            return new DailySpend(day, Math.Max(0, -rows.Where(t => DateOnly.FromDateTime(t.At.UtcDateTime) == day).Sum(t => t.Amount)));
        }).ToList();
    }

    /// <summary>Debits and their refunds are charges; everything else adds credits.</summary>
    public static bool IsCharge(CreditTransaction t) => t.Kind is CreditTransactionKind.Debit or CreditTransactionKind.Refund;

    public static string SourceLabel(CreditTransaction t) => (t.Kind, CreditReferences.IsSandbox(t.Reference)) switch
    {
        (CreditTransactionKind.SignupAward, _) => "Sign-up award",
        (CreditTransactionKind.Award, _) => "Awards",
        (CreditTransactionKind.Subscription, true) => "Subscription (sandbox)",
        (CreditTransactionKind.Subscription, false) => "Subscription",
        (CreditTransactionKind.TopUp, true) => "Purchased credits (sandbox)",
        (CreditTransactionKind.TopUp, false) => "Purchased credits",
        (CreditTransactionKind.PaymentReversal, _) => "Payment reversed",
        _ => "Adjustments",
    };

    private async Task<Dictionary<string, string>> DeploymentNamesAsync(string userId, IEnumerable<string?> ids, CancellationToken ct)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in ids.OfType<string>().Distinct())
        {
            var view = await deployments.GetAsync(new DeploymentCaller(userId, false), id, ct);
            names[id] = view is null ? id : $"{view.ModuleName} ({id})";
        }
        return names;
    }

    public static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Field(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) >= 0 || value.StartsWith('=') || value.StartsWith('+') || value.StartsWith('-') || value.StartsWith('@')
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
}
