using PartnerBot.Api.Billing;
using PartnerBot.Api.Credits;
using PartnerBot.Bot.Features.Billing;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Model;

namespace PartnerBot.Tests.Billing;

/// <summary>Every billing tab renders for Teams, Web Chat and Slack, including a full page of transactions.</summary>
public sealed class BillingCardRenderingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Tabs() => ["tiers", "buy", "transactions", "costs", "invoices"];

    [Theory]
    [MemberData(nameof(Tabs))]
    public void A_tab_renders_on_every_channel_with_its_tab_buttons(string tab)
    {
        var message = Build(tab);
        foreach (var host in new[] { CardHost.Teams, CardHost.WebChat })
        {
            var card = AdaptiveCardRenderer.Render(message, host).ToJsonString();
            Assert.Contains("Subscription tiers", card);
            Assert.Contains("billing.tab", card);
        }
        var slack = BlockKitRenderer.RenderMessages(message);
        Assert.NotEmpty(slack);
        Assert.All(slack, s => Assert.True(s.Blocks.Count <= 50));
    }

    private static UiMessage Build(string tab)
    {
        var cards = new BillingCards();
        var balances = new CreditBalances(100, 200, 300);
        var transactions = Enumerable.Range(0, 10).Select(i => new CreditTransaction($"tx-{i}", "u", CreditTransactionKind.Debit, -i,
            new CreditBalances(-i, 0, 0), $"deployment:d-{i}", Now.AddHours(-i), Now.AddHours(-i).ToUnixTimeMilliseconds(), "u", balances)).ToList();
        IReadOnlyList<UiElement> content = tab switch
        {
            "tiers" => BillingCards.TiersTab([new BillingTier("price_1", "Team", 1000, 79, "usd", "month")], new BillingAccount { UserId = "u" }, BillingMode.Stripe),
            "buy" => BillingCards.BuyTab(BillingOptions.DefaultPacks, BillingMode.Sandbox),
            "transactions" => BillingCards.TransactionsTab(transactions, new CreditTransactionFilter(CreditTransactionKind.Debit, Now.AddDays(-7), Now, "d-1"),
                "continuation", "https://bot.example.com/api/billing/exports/x.y"),
            "costs" => BillingCards.CostsTab([new ProjectCost("d-1", "Network (d-1)", 12, 30)], "https://bot.example.com/api/billing/exports/a.b", Now),
            _ => BillingCards.InvoicesTab(new MonthlyStatement("u", 2026, 11, 10, [new StatementLine("Subscription", 1000)], [new StatementLine("d-1", 12)], 998,
                [new StripeInvoiceView("in_1", "INV-1", "paid", 79, "usd", Now, "https://invoice.stripe.com/i/1", null)]), "https://bot.example.com/api/billing/exports/c.d"),
        };
        return cards.Frame(BillingCards.ParseTab(tab)!.Value, balances, BillingMode.Sandbox, content);
    }
}
