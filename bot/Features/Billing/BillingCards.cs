using System.Globalization;
using System.Text.Json.Nodes;
using PartnerBot.Api.Billing;
using PartnerBot.Api.Credits;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Billing;

public enum BillingTab { Tiers, Buy, Transactions, Costs, Invoices }

/// <summary>The billing card: heading, balances, mode notice, tab buttons; each tab adds its own body.</summary>
public sealed class BillingCards
{
    public const string RangeInputId = "range";
    public const string DeploymentInputId = "deployment";

    public static readonly IReadOnlyList<(BillingTab Tab, string Value, string Title)> Tabs =
    [
        (BillingTab.Tiers, "tiers", "Subscription tiers"),
        (BillingTab.Buy, "buy", "Buy credits"),
        (BillingTab.Transactions, "transactions", "Transactions"),
        (BillingTab.Costs, "costs", "Project costs"),
        (BillingTab.Invoices, "invoices", "Invoices"),
    ];

    public static BillingTab? ParseTab(string? value)
    {
        var v = value?.Trim().ToLowerInvariant();
        foreach (var (tab, name, title) in Tabs)
            if (v == name || v == title.ToLowerInvariant() || (v is not null && v.Length >= 3 && name.StartsWith(v, StringComparison.Ordinal)))
                return tab;
        return v switch { "subscription" or "subscriptions" or "subscribe" => BillingTab.Tiers, "tx" or "history" => BillingTab.Transactions, _ => null };
    }

    public static string TabValue(BillingTab tab) => Tabs.First(t => t.Tab == tab).Value;

    public UiMessage Frame(BillingTab tab, CreditBalances balances, BillingMode mode, IReadOnlyList<UiElement> content, IReadOnlyList<UiAction>? actions = null)
    {
        var title = Tabs.First(t => t.Tab == tab).Title;
        var body = new List<UiElement>
        {
            new UiHeading("Billing"),
            new UiFactSet(
            [
                new UiFact("Awarded", Credits(balances.Awarded)),
                new UiFact("Subscription", Credits(balances.Subscription)),
                new UiFact("Purchased (top-up)", Credits(balances.TopUp)),
                new UiFact("Total", Credits(balances.Total)),
            ]),
        };
        if (mode == BillingMode.Sandbox)
            body.Add(new UiText("**Sandbox mode**: Stripe is not configured, so purchases complete locally, take no payment and are marked *sandbox* in your transactions.", UiTextTone.Warning));
        if (mode == BillingMode.Disabled)
            body.Add(new UiText("Purchases are not available: Stripe is not configured on this server. Please contact an administrator.", UiTextTone.Attention));
        body.Add(new UiActionRow(Tabs.Select(t => new UiAction(t.Tab == tab ? $"▸ {t.Title}" : t.Title, BillingChatRoutes.Tab,
            new JsonObject { ["tab"] = t.Value }, t.Tab == tab ? UiActionStyle.Primary : UiActionStyle.Default)).ToList()));
        body.Add(new UiContainer([new UiText($"**{title}**"), .. content], Separator: true));
        return new UiMessage($"Billing: {title}. Balance {Credits(balances.Total)}.", body, actions ?? []);
    }

    public static IReadOnlyList<UiElement> TiersTab(IReadOnlyList<BillingTier> tiers, BillingAccount account, BillingMode mode)
    {
        var content = new List<UiElement>();
        if (account.HasActiveSubscription)
        {
            content.Add(new UiText($"Your subscription: **{UiMarkdown.Escape(account.TierName ?? "active", 80)}** ({account.SubscriptionStatus}).", UiTextTone.Good));
            content.Add(new UiActionRow(account.Sandbox
                ? [new UiAction("Cancel sandbox subscription", BillingChatRoutes.SandboxCancel, null, UiActionStyle.Destructive)]
                : [new UiAction("Change or cancel (Stripe portal)", BillingChatRoutes.Portal)]));
        }
        else
        {
            content.Add(new UiText("You have no subscription. A tier adds credits every period.", UiTextTone.Subtle));
        }
        if (tiers.Count == 0) content.Add(new UiText("No subscription tiers are offered right now.", UiTextTone.Subtle));
        foreach (var tier in tiers)
        {
            content.Add(new UiText($"**{UiMarkdown.Escape(tier.Name, 80)}**: {Credits(tier.Credits)} per {tier.Interval} for {Money(tier.Price, tier.Currency)}"));
            if (!account.HasActiveSubscription && mode != BillingMode.Disabled)
                content.Add(new UiActionRow([new UiAction($"Subscribe to {tier.Name}", BillingChatRoutes.Subscribe,
                    new JsonObject { ["tierId"] = tier.Id, ["requestId"] = NewId() }, UiActionStyle.Primary)]));
        }
        return content;
    }

    public static IReadOnlyList<UiElement> BuyTab(IReadOnlyList<PackOptions> packs, BillingMode mode)
    {
        var content = new List<UiElement> { new UiText("Purchased credits never expire and pay for every module, including those that require purchased credits.", UiTextTone.Subtle) };
        var buttons = packs.Select((p, i) => new UiAction($"{Credits(p.Credits)} · {Money(p.Price, p.Currency)}", BillingChatRoutes.Buy,
            new JsonObject { ["pack"] = i, ["requestId"] = NewId() })).ToList();
        if (mode != BillingMode.Disabled) content.Add(new UiActionRow(buttons));
        return content;
    }

    public static UiMessage SandboxConfirmation(string what, JsonObject data) => new(
        $"Sandbox purchase ready: {what}.",
        [new UiText($"**Sandbox purchase**: {UiMarkdown.Escape(what, 120)}. No payment is taken; the credits are marked *sandbox*.", UiTextTone.Warning)],
        [new UiAction("Complete sandbox purchase", BillingChatRoutes.Sandbox, data, UiActionStyle.Primary), new UiAction("Back to billing", BillingChatRoutes.Tab, new JsonObject { ["tab"] = "buy" })]);

    public static UiMessage CheckoutLink(string what, string url) => new(
        $"Pay for {what} on Stripe.",
        [new UiText($"Continue to Stripe's secure checkout to pay for **{UiMarkdown.Escape(what, 120)}**. Your credits are added as soon as Stripe confirms the payment.")],
        [UiAction.Link("Pay with Stripe", url)]);

    public static IReadOnlyList<UiElement> TransactionsTab(IReadOnlyList<CreditTransaction> items, CreditTransactionFilter filter,
        string? continuation, string exportUrl)
    {
        var content = new List<UiElement>
        {
            new UiActionRow(
            [
                KindButton("All", null, filter.Kind), KindButton("Purchases", CreditTransactionKind.TopUp, filter.Kind),
                KindButton("Subscription", CreditTransactionKind.Subscription, filter.Kind), KindButton("Charges", CreditTransactionKind.Debit, filter.Kind),
                KindButton("Refunds", CreditTransactionKind.Refund, filter.Kind),
            ]),
            new UiTextInput(RangeInputId, "Dates (YYYY-MM-DD..YYYY-MM-DD)", new UiAction("Filter dates", BillingChatRoutes.Transactions, new JsonObject { ["set"] = RangeInputId }),
                RangeText(filter), "2026-11-01..2026-11-30"),
            new UiTextInput(DeploymentInputId, "Deployment id", new UiAction("Filter deployment", BillingChatRoutes.Transactions, new JsonObject { ["set"] = DeploymentInputId }),
                filter.DeploymentId, "e.g. d-1234"),
        };
        var active = Describe(filter);
        if (active.Length > 0) content.Add(new UiText("Filters: " + UiMarkdown.Escape(active, 300), UiTextTone.Subtle));
        if (items.Count == 0) content.Add(new UiText("No transactions match.", UiTextTone.Subtle));
        foreach (var t in items)
        {
            var sandbox = CreditReferences.IsSandbox(t.Reference) ? " · *sandbox*" : "";
            var deployment = CreditReferences.DeploymentId(t.Reference) is { } d ? $" · deployment {UiMarkdown.Escape(d, 60)}" : "";
            content.Add(new UiText($"{t.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} · **{KindLabel(t.Kind)}** {Signed(t.Amount)}{deployment}{sandbox} · balance {BillingReports.Number(t.BalanceAfter.Total)}"));
        }
        var row = new List<UiAction>();
        if (continuation is not null) row.Add(new UiAction("More", BillingChatRoutes.Transactions, new JsonObject { ["continuation"] = continuation }));
        if (active.Length > 0) row.Add(new UiAction("Clear filters", BillingChatRoutes.Transactions, new JsonObject { ["clear"] = true }));
        row.Add(UiAction.Link("Export CSV", exportUrl));
        content.Add(new UiActionRow(row));
        return content;
    }

    public static IReadOnlyList<UiElement> CostsTab(IReadOnlyList<ProjectCost> costs, string chartUrl, DateTimeOffset now)
    {
        var current = now.ToString("MMMM yyyy", CultureInfo.InvariantCulture);
        var previous = now.AddMonths(-1).ToString("MMMM yyyy", CultureInfo.InvariantCulture);
        var content = new List<UiElement>();
        if (costs.Count == 0) content.Add(new UiText($"No deployment costs in {previous} or {current}.", UiTextTone.Subtle));
        else
        {
            content.Add(new UiFactSet(costs.Select(c => new UiFact(c.Name, $"{current}: {Credits(c.CurrentMonth)} · {previous}: {Credits(c.PreviousMonth)}")).ToList()));
            content.Add(new UiText($"Total {current}: **{Credits(costs.Sum(c => c.CurrentMonth))}** · {previous}: {Credits(costs.Sum(c => c.PreviousMonth))}"));
        }
        content.Add(new UiImage(chartUrl, "Daily credits spent over the last 30 days"));
        content.Add(new UiText("Costs are deployment charges plus ongoing cost reports, net of refunds.", UiTextTone.Subtle));
        return content;
    }

    public static IReadOnlyList<UiElement> InvoicesTab(MonthlyStatement s, string pdfUrl)
    {
        var facts = new List<UiFact> { new("Opening balance", Credits(s.OpeningBalance)) };
        facts.AddRange(s.Added.Select(a => new UiFact("+ " + a.Label, Credits(a.Credits))));
        facts.AddRange(s.Charges.Select(c => new UiFact("− " + c.Label, Credits(c.Credits))));
        facts.Add(new UiFact("Closing balance", Credits(s.ClosingBalance)));
        var content = new List<UiElement> { new UiText($"Statement for **{s.Title}**"), new UiFactSet(facts) };
        if (s.Invoices.Count > 0)
        {
            content.Add(new UiText("**Stripe invoices**"));
            foreach (var invoice in s.Invoices)
                content.Add(new UiText($"{UiMarkdown.Escape(invoice.Number ?? invoice.Id, 60)} · {invoice.Status} · {Money(invoice.AmountPaid, invoice.Currency)}"));
            var links = s.Invoices.Where(i => i.HostedInvoiceUrl is not null).Take(5)
                .Select(i => UiAction.Link($"Invoice {i.Number ?? i.Id}", i.HostedInvoiceUrl!)).ToList();
            if (links.Count > 0) content.Add(new UiActionRow(links));
        }
        var previous = new DateTime(s.Year, s.Month, 1).AddMonths(-1);
        var next = new DateTime(s.Year, s.Month, 1).AddMonths(1);
        content.Add(new UiActionRow(
        [
            new UiAction("◀ " + previous.ToString("MMM yyyy", CultureInfo.InvariantCulture), BillingChatRoutes.Month, new JsonObject { ["year"] = previous.Year, ["month"] = previous.Month }),
            new UiAction(next.ToString("MMM yyyy", CultureInfo.InvariantCulture) + " ▶", BillingChatRoutes.Month, new JsonObject { ["year"] = next.Year, ["month"] = next.Month }),
            UiAction.Link("Download PDF", pdfUrl),
        ]));
        return content;
    }

    public static string Credits(decimal value) => BillingReports.Number(value) + " credits";

    public static string Money(decimal amount, string currency) =>
        amount.ToString("0.00", CultureInfo.InvariantCulture) + " " + currency.ToUpperInvariant();

    public static string KindLabel(CreditTransactionKind kind) => kind switch
    {
        CreditTransactionKind.SignupAward => "Sign-up award",
        CreditTransactionKind.TopUp => "Purchase",
        CreditTransactionKind.Debit => "Charge",
        CreditTransactionKind.PaymentReversal => "Payment reversed",
        _ => kind.ToString(),
    };

    private static string Signed(decimal amount) => (amount >= 0 ? "+" : "−") + BillingReports.Number(Math.Abs(amount));

    private static UiAction KindButton(string title, CreditTransactionKind? kind, CreditTransactionKind? current) =>
        new(kind == current ? "▸ " + title : title, BillingChatRoutes.Transactions, new JsonObject { ["kind"] = kind?.ToString() ?? "all" });

    private static string? RangeText(CreditTransactionFilter f) =>
        f.From is null && f.To is null ? null : $"{f.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}..{f.To?.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    private static string Describe(CreditTransactionFilter f)
    {
        var parts = new List<string>();
        if (f.Kind is { } k) parts.Add(KindLabel(k));
        if (RangeText(f) is { } r) parts.Add(r);
        if (f.DeploymentId is { } d) parts.Add("deployment " + d);
        return string.Join(", ", parts);
    }

    private static string NewId() => Guid.NewGuid().ToString("N");
}
