using System.Globalization;
using System.Text.Json.Nodes;
using PartnerBot.Api.Billing;
using PartnerBot.Api.Credits;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Billing;

/// <summary>
/// The billing card and everything on it. Every action is served for the current chat user only: identifiers from
/// card data (tier, pack, deployment filter) are looked up again, never trusted for whose data is shown.
/// </summary>
public sealed class BillingDialog(
    BillingService billing,
    BillingReports reports,
    SignedLinks links,
    ICreditLedger ledger,
    BillingCards cards,
    TimeProvider clock,
    ILogger<BillingDialog> logger) : Dialog<BillingState>(DialogId, BillingStateJson.Default.BillingState)
{
    public const string DialogId = "billing";
    private const int PageSize = 10;

    /// <summary><c>billing [tab]</c>, and the menu's and other features' billing buttons (data: <c>tab</c>).</summary>
    public Task<DialogTurnResult> StartAsync(ChatRouteContext route, CancellationToken ct)
    {
        var data = route.Data;
        if (route.Arguments.Length > 0 && data["tab"] is null) data["tab"] = route.Arguments;
        return TabAsync(route, ct);
    }

    public Task<DialogTurnResult> TabAsync(ChatRouteContext route, CancellationToken ct) => StripeGuardAsync(route.Dialog, async () =>
    {
        var requested = (string?)route.Data["tab"];
        var tab = BillingCards.ParseTab(requested);
        if (tab is null && !string.IsNullOrWhiteSpace(requested))
            await route.Turn.SendTextAsync($"There is no billing tab \"{UiMarkdown.Escape(requested, 40)}\". Showing subscription tiers.", ct);
        return await ShowAsync(route.Dialog, tab ?? BillingTab.Tiers, ct);
    }, ct);

    public Task<DialogTurnResult> SubscribeAsync(ChatRouteContext route, CancellationToken ct) =>
        StripeGuardAsync(route.Dialog, () => SubscribeAsync(route.Dialog, route.Data, ct), ct);

    public Task<DialogTurnResult> BuyAsync(ChatRouteContext route, CancellationToken ct) =>
        StripeGuardAsync(route.Dialog, () => BuyAsync(route.Dialog, route.Data, ct), ct);

    public Task<DialogTurnResult> CompleteSandboxAsync(ChatRouteContext route, CancellationToken ct) =>
        StripeGuardAsync(route.Dialog, () => CompleteSandboxAsync(route.Dialog, route.Data, ct), ct);

    public Task<DialogTurnResult> CancelSandboxAsync(ChatRouteContext route, CancellationToken ct) => StripeGuardAsync(route.Dialog, async () =>
    {
        await billing.CancelSandboxSubscriptionAsync(route.Turn.User.Id, ct);
        await route.Turn.SendTextAsync("Your sandbox subscription is cancelled. Credits already granted stay until spent.", ct);
        return await ShowAsync(route.Dialog, BillingTab.Tiers, ct);
    }, ct);

    public Task<DialogTurnResult> PortalAsync(ChatRouteContext route, CancellationToken ct) => StripeGuardAsync(route.Dialog, async () =>
    {
        var portal = await billing.PortalUrlAsync(route.Turn.User.Id, ct);
        await route.Turn.SendAsync(portal is null
            ? UiMessage.Text("There is no Stripe customer for you yet: subscribe or buy credits first.")
            : new UiMessage("Manage your subscription on Stripe.", [new UiText("Change or cancel your subscription, and update payment methods, in Stripe's customer portal.")],
                [UiAction.Link("Open the customer portal", portal)]), ct);
        return DialogTurnResult.Waiting;
    }, ct);

    public Task<DialogTurnResult> TransactionsAsync(ChatRouteContext route, CancellationToken ct) =>
        StripeGuardAsync(route.Dialog, () => TransactionsAsync(route.Dialog, State(route.Dialog), route.Data, ct), ct);

    public Task<DialogTurnResult> MonthAsync(ChatRouteContext route, CancellationToken ct) => StripeGuardAsync(route.Dialog, () =>
    {
        var state = State(route.Dialog);
        state.Year = (int?)route.Data["year"];
        state.Month = (int?)route.Data["month"];
        return ShowAsync(route.Dialog, BillingTab.Invoices, ct);
    }, ct);

    /// <summary>A typed tab name while billing is open shows that tab.</summary>
    public override Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct)
    {
        var turn = dc.Turn;
        if (turn.Verb is not null) return Task.FromResult(DialogTurnResult.Empty);
        if (BillingCards.ParseTab(turn.Text) is { } tab) return StripeGuardAsync(dc, () => ShowAsync(dc, tab, ct), ct);
        return RemindAsync(dc, ct);
    }

    private static async Task<DialogTurnResult> RemindAsync(DialogContext dc, CancellationToken ct)
    {
        await dc.Turn.SendTextAsync("Please use the buttons on the billing card, or type **cancel** to leave billing.", ct);
        return DialogTurnResult.Waiting;
    }

    /// <summary>Runs <paramref name="action"/>; Stripe being unreachable is told plainly, with nothing charged.</summary>
    private async Task<DialogTurnResult> StripeGuardAsync(DialogContext dc, Func<Task<DialogTurnResult>> action, CancellationToken ct)
    {
        try
        {
            return await action();
        }
        catch (Stripe.StripeException e)
        {
            logger.LogWarning("Stripe call failed for user {UserId}: {Message}", dc.Turn.User.Id, e.Message);
            await dc.Turn.SendTextAsync("Stripe could not be reached just now; nothing was charged. Please try again in a minute.", ct);
            return DialogTurnResult.Waiting;
        }
    }

    private async Task<DialogTurnResult> ShowAsync(DialogContext dc, BillingTab tab, CancellationToken ct)
    {
        var state = State(dc);
        state.Phase = tab;
        var user = dc.Turn.User;
        var balances = await ledger.GetBalanceAsync(user.Id, ct);
        IReadOnlyList<UiElement> content;
        switch (tab)
        {
            case BillingTab.Buy:
                content = BillingCards.BuyTab(billing.Packs, billing.Mode);
                break;
            case BillingTab.Transactions:
                return await TransactionsAsync(dc, state, [], ct);
            case BillingTab.Costs:
                var now = clock.GetUtcNow();
                var costs = await reports.ProjectCostsAsync(user.Id, now, ct);
                var chart = await LinkAsync(user.Id, BillingRoutes.CostChartPng, new() { ["theme"] = user.Theme == "dark" ? "dark" : "light" }, ct);
                content = BillingCards.CostsTab(costs, chart, now);
                break;
            case BillingTab.Invoices:
                var today = clock.GetUtcNow();
                var year = state.Year ?? today.Year;
                var month = state.Month ?? today.Month;
                if (month is < 1 or > 12 || year is < 2000 or > 9999) (year, month) = (today.Year, today.Month);
                var (from, to) = BillingReports.MonthRange(year, month);
                var statement = await reports.StatementAsync(user.Id, year, month, await billing.ListInvoicesAsync(user.Id, from, to, ct), ct);
                var pdf = await LinkAsync(user.Id, BillingRoutes.StatementPdf, new()
                {
                    ["year"] = year.ToString(CultureInfo.InvariantCulture),
                    ["month"] = month.ToString(CultureInfo.InvariantCulture),
                }, ct);
                content = BillingCards.InvoicesTab(statement, pdf);
                break;
            default:
                content = BillingCards.TiersTab(billing.Mode == BillingMode.Disabled ? [] : await billing.ListTiersAsync(ct),
                    await billing.GetAccountAsync(user.Id, ct), billing.Mode);
                break;
        }
        await dc.Turn.SendAsync(cards.Frame(tab, balances, billing.Mode, content), ct);
        return DialogTurnResult.Waiting;
    }

    private async Task<DialogTurnResult> TransactionsAsync(DialogContext dc, BillingState state, JsonObject data, CancellationToken ct)
    {
        state.Phase = BillingTab.Transactions;
        if ((bool?)data["clear"] == true)
            (state.TxKind, state.TxFrom, state.TxTo, state.TxDeployment) = (null, null, null, null);
        if ((string?)data["kind"] is { } kind)
        {
            if (kind == "all") state.TxKind = null;
            else if (Enum.TryParse<CreditTransactionKind>(kind, true, out var k)) state.TxKind = k;
        }
        switch ((string?)data["set"])
        {
            case BillingCards.RangeInputId:
                var text = ((string?)data[BillingCards.RangeInputId])?.Trim() ?? "";
                if (text.Length == 0) (state.TxFrom, state.TxTo) = (null, null);
                else if (ParseRange(text) is { } range) (state.TxFrom, state.TxTo) = range;
                else
                {
                    await dc.Turn.SendTextAsync("Please write dates as **YYYY-MM-DD..YYYY-MM-DD** (or a single day), e.g. 2026-11-01..2026-11-30.", ct);
                    return DialogTurnResult.Waiting;
                }
                break;
            case BillingCards.DeploymentInputId:
                var deployment = ((string?)data[BillingCards.DeploymentInputId])?.Trim() ?? "";
                if (deployment.Length == 0) state.TxDeployment = null;
                else state.TxDeployment = deployment.Length > 100 ? deployment[..100] : deployment;
                break;
        }

        var filter = new CreditTransactionFilter(
            state.TxKind,
            state.TxFrom is { } f && ExportFilters.TryDay(f, out var from) ? from : null,
            state.TxTo is { } t && ExportFilters.TryDay(t, out var to) ? to.AddDays(1) : null,
            state.TxDeployment);
        var user = dc.Turn.User;
        var page = await ledger.QueryTransactionsAsync(user.Id, filter, (string?)data["continuation"], PageSize, ct);
        var export = await LinkAsync(user.Id, BillingRoutes.TransactionsCsv, ExportFilters.ToArguments(filter), ct);
        var balances = await ledger.GetBalanceAsync(user.Id, ct);
        await dc.Turn.SendAsync(cards.Frame(BillingTab.Transactions, balances, billing.Mode,
            BillingCards.TransactionsTab(page.Items, filter, page.ContinuationToken, export)), ct);
        return DialogTurnResult.Waiting;
    }

    /// <summary>"A..B" (inclusive days) or a single day, as stored day strings (To is the last day, inclusive).</summary>
    private static (string From, string To)? ParseRange(string text)
    {
        var parts = text.Split("..", 2, StringSplitOptions.TrimEntries);
        var fromText = parts[0];
        var toText = parts.Length == 2 ? parts[1] : parts[0];
        if (!ExportFilters.TryDay(fromText, out var from) || !ExportFilters.TryDay(toText, out var to) || to < from) return null;
        return (fromText, toText);
    }

    private async Task<DialogTurnResult> SubscribeAsync(DialogContext dc, JsonObject data, CancellationToken ct)
    {
        var tierId = (string?)data["tierId"] ?? "";
        var requestId = RequestId(data);
        var result = await billing.StartSubscriptionAsync(Buyer(dc), tierId, requestId, ct);
        return await ReportStartAsync(dc, result, "subscription", new JsonObject { ["kind"] = "tier", ["tierId"] = tierId, ["purchaseId"] = requestId }, ct);
    }

    private async Task<DialogTurnResult> BuyAsync(DialogContext dc, JsonObject data, CancellationToken ct)
    {
        var pack = (int?)data["pack"] ?? -1;
        var requestId = RequestId(data);
        var result = await billing.StartPurchaseAsync(Buyer(dc), pack, requestId, ct);
        return await ReportStartAsync(dc, result, "credits", new JsonObject { ["kind"] = "pack", ["pack"] = pack, ["purchaseId"] = requestId }, ct);
    }

    private static async Task<DialogTurnResult> ReportStartAsync(DialogContext dc, PurchaseStart result, string what, JsonObject sandboxData,
        CancellationToken ct)
    {
        switch (result)
        {
            case PurchaseStart.Checkout checkout:
                await dc.Turn.SendAsync(BillingCards.CheckoutLink(what, checkout.Url), ct);
                break;
            case PurchaseStart.SandboxReady ready:
                await dc.Turn.SendAsync(BillingCards.SandboxConfirmation(ready.What, sandboxData), ct);
                break;
            case PurchaseStart.Refused refused:
                await dc.Turn.SendAsync(new UiMessage(refused.Reason, [new UiText(refused.Reason, UiTextTone.Warning)],
                    refused.PortalUrl is null ? [] : [UiAction.Link("Open the customer portal", refused.PortalUrl)]), ct);
                break;
        }
        return DialogTurnResult.Waiting;
    }

    private async Task<DialogTurnResult> CompleteSandboxAsync(DialogContext dc, JsonObject data, CancellationToken ct)
    {
        if (billing.Mode != BillingMode.Sandbox)
        {
            await dc.Turn.SendTextAsync("Sandbox purchases are not available on this server.", ct);
            return DialogTurnResult.Waiting;
        }
        var purchaseId = (string?)data["purchaseId"];
        if (string.IsNullOrEmpty(purchaseId) || purchaseId.Length > 64)
        {
            await dc.Turn.SendTextAsync("That purchase button is not valid any more. Please start again from **billing**.", ct);
            return DialogTurnResult.Waiting;
        }
        var userId = dc.Turn.User.Id;
        try
        {
            var result = (string?)data["kind"] == "tier"
                ? await billing.CompleteSandboxSubscriptionAsync(userId, (string?)data["tierId"] ?? "", purchaseId, ct)
                : await billing.CompleteSandboxPurchaseAsync(userId, (int?)data["pack"] ?? -1, purchaseId, ct);
            await dc.Turn.SendTextAsync(result is CreditResult.AlreadyApplied
                ? "This sandbox purchase was already completed; nothing was added twice."
                : "Sandbox purchase completed: your credits were added (marked *sandbox*).", ct);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            await dc.Turn.SendTextAsync(e.Message, ct);
            return DialogTurnResult.Waiting;
        }
        return await ShowAsync(dc, BillingTab.Transactions, ct);
    }

    private static Buyer Buyer(DialogContext dc) => new(dc.Turn.User.Id, dc.Turn.User.Email, dc.Turn.User.DisplayName);

    private static string RequestId(JsonObject data) =>
        (string?)data["requestId"] is { Length: > 0 and <= 64 } id && id.All(char.IsAsciiLetterOrDigit) ? id : Guid.NewGuid().ToString("N");

    private async Task<string> LinkAsync(string userId, string purpose, Dictionary<string, string> arguments, CancellationToken ct) =>
        billing.PublicBaseUrl + BillingRoutes.ExportPrefix + await links.CreateAsync(userId, purpose, arguments, ct);
}
