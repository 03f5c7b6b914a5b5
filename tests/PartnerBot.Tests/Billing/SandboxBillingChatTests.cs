using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Credits;
using PartnerBot.Tests.Infrastructure;
using static PartnerBot.Tests.Billing.BillingTestSupport;

namespace PartnerBot.Tests.Billing;

/// <summary>The billing card over Direct Line without Stripe keys: a labelled sandbox where purchases complete locally.</summary>
public sealed class SandboxBillingChatTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private BotTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartHostAsync(new Dictionary<string, string?>(), _clock);
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Billing_shows_tabs_a_sandbox_purchase_raises_the_balance_once_and_the_transactions_card_lists_it()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("billing");
        var card = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Billing"));
        var text = DirectLineTestClient.AllText(card);
        foreach (var tab in new[] { "Subscription tiers", "Buy credits", "Transactions", "Project costs", "Invoices" }) Assert.Contains(tab, text);
        Assert.Contains("Sandbox mode", text);
        Assert.Contains("100 credits", text); // the sign-up award

        // What the deploy dialog's "Buy credits" button sends.
        await chat.SubmitAsync(new JsonObject { ["verb"] = "billing", ["tab"] = "buy" });
        var buy = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Purchased credits never expire"));
        Assert.Contains(DirectLineTestClient.Actions(buy), a => (string?)a["title"] == "▸ Buy credits");

        await chat.SubmitAsync(ActionData(buy, d => (string?)d["verb"] == "billing.buy" && (int?)d["pack"] == 1));
        var confirm = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Sandbox purchase"));
        var complete = ActionData(confirm, Verb("billing.sandbox"));
        await chat.SubmitAsync(complete.DeepClone().AsObject());
        await chat.WaitForTextAsync("Sandbox purchase completed");
        var transactions = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("+500"));
        var listed = DirectLineTestClient.AllText(transactions);
        Assert.Contains("Purchase", listed);
        Assert.Contains("sandbox", listed);
        Assert.Contains("600 credits", listed);

        // A double-click of the same completion adds nothing.
        await chat.SubmitAsync(complete.DeepClone().AsObject());
        await chat.WaitForTextAsync("already completed");
        var userId = await UserIdAsync(_host, chat);
        var ledger = _host.Services.GetRequiredService<ICreditLedger>();
        Assert.Equal(new CreditBalances(100, 0, 500), await ledger.GetBalanceAsync(userId));
        var purchase = Assert.Single((await ledger.ListTransactionsAsync(userId, null)).Items, t => t.Kind == CreditTransactionKind.TopUp);
        Assert.True(CreditReferences.IsSandbox(purchase.Reference));
        Assert.Equal("sandbox", purchase.By);

        // The CSV export link on the card serves this user's rows, and stops working after ten minutes.
        var export = Local(LinkUrl(transactions, "Export CSV"));
        var csv = await _host.Client.GetStringAsync(export);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("date,kind,amount,awarded,subscription,topUp,deployment,reference,sandbox,balanceAfter", lines[0]);
        Assert.Contains(lines, l => l.StartsWith(_clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) + ",SignupAward,100,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(",TopUp,500,0,0,500,,sandbox:purchase:", StringComparison.Ordinal) && l.EndsWith(",true,600", StringComparison.Ordinal));
        Assert.Equal("total,,600,,,,,,,", lines[^1]);
        _clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(HttpStatusCode.Gone, (await _host.Client.GetAsync(export)).StatusCode);
    }

    [Fact]
    public async Task A_sandbox_subscription_grants_its_tier_and_only_one_is_active()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("billing tiers");
        var tiers = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("You have no subscription"));
        await chat.SubmitAsync(ActionData(tiers, d => (string?)d["verb"] == "billing.subscribe" && (string?)d["tierId"] == "tier-1"));
        var confirm = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Sandbox purchase"));
        await chat.SubmitAsync(ActionData(confirm, Verb("billing.sandbox")));
        await chat.WaitForTextAsync("Sandbox purchase completed");
        var userId = await UserIdAsync(_host, chat);
        Assert.Equal(1000, (await _host.Services.GetRequiredService<ICreditLedger>().GetBalanceAsync(userId)).Subscription);

        await chat.SubmitAsync(new JsonObject { ["verb"] = "billing.subscribe", ["tierId"] = "tier-0", ["requestId"] = "again" });
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("already have an active subscription"));
        await chat.SendTextAsync("billing tiers");
        var current = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Your subscription"));
        Assert.Contains("Team", DirectLineTestClient.AllText(current));
        Assert.DoesNotContain(DirectLineTestClient.Actions(current), a => (string?)a["data"]?["verb"] == "billing.subscribe");
    }

    [Fact]
    public async Task Transaction_filters_by_kind_and_bad_dates_get_a_friendly_answer()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        var userId = await OpenAsync(chat);
        var ledger = _host.Services.GetRequiredService<ICreditLedger>();
        await ledger.DebitAsync(userId, 7, SpendPolicy.AnyBucket, "deployment:d-filter", userId);

        await chat.SubmitAsync(new JsonObject { ["verb"] = "billing.tx", ["kind"] = "Debit" });
        var debits = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Filters: Charge"));
        Assert.Contains("−7", DirectLineTestClient.AllText(debits));
        Assert.DoesNotContain("Sign-up award", DirectLineTestClient.AllText(debits));

        await chat.SubmitAsync(new JsonObject { ["verb"] = "billing.tx", ["set"] = "range", ["range"] = "last tuesday" });
        await chat.WaitForTextAsync("YYYY-MM-DD..YYYY-MM-DD");

        await chat.SubmitAsync(new JsonObject { ["verb"] = "billing.tx", ["set"] = "range", ["range"] = "2020-10-01..2020-10-31" });
        var october = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("2020-10-01..2020-10-31"));
        Assert.Contains("No transactions match", DirectLineTestClient.AllText(october));
    }

    [Fact]
    public async Task The_costs_tab_shows_a_themed_chart_and_the_invoices_tab_a_statement_with_a_pdf_link()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        var userId = await OpenAsync(chat);
        await _host.Services.GetRequiredService<ICreditLedger>().DebitAsync(userId, 12, SpendPolicy.AnyBucket, "deployment:d-chat", userId);

        await chat.SendTextAsync("theme dark");
        await chat.WaitForTextAsync("theme is now");
        await chat.SendTextAsync("billing costs");
        var costs = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Total "));
        Assert.Contains("d-chat", DirectLineTestClient.AllText(costs));
        var image = (string)FindImage(DirectLineTestClient.Card(costs)!)!["url"]!;
        var png = await _host.Client.GetAsync(Local(image));
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        var bytes = await png.Content.ReadAsByteArrayAsync();
        Assert.Equal(0x89, bytes[0]);

        await chat.SendTextAsync("billing invoices");
        var invoices = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Statement for"));
        Assert.Contains("Closing balance", DirectLineTestClient.AllText(invoices));
        var pdf = await _host.Client.GetAsync(Local(LinkUrl(invoices, "Download PDF")));
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        using var document = UglyToad.PdfPig.PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync());
        Assert.Contains("88 credits", string.Join(" ", document.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text)));
    }

    private static JsonObject? FindImage(JsonNode node) => node switch
    {
        JsonObject o when (string?)o["type"] == "Image" => o,
        JsonObject o => o.Select(p => p.Value is null ? null : FindImage(p.Value)).FirstOrDefault(x => x is not null),
        JsonArray a => a.Select(x => x is null ? null : FindImage(x)).FirstOrDefault(x => x is not null),
        _ => null,
    };

    private async Task<string> OpenAsync(DirectLineTestClient chat)
    {
        await chat.SendTextAsync("billing");
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Billing"));
        return await UserIdAsync(_host, chat);
    }
}
