using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Identity;
using PartnerBot.Tests.Infrastructure;
using static PartnerBot.Tests.Billing.BillingTestSupport;

namespace PartnerBot.Tests.Billing;

/// <summary>
/// Stripe's <c>charge.refunded</c> and <c>charge.dispute.created</c>, signed and posted to the real host: the credits the
/// payment bought are taken back once, and a balance left below zero pauses deploys until a purchase settles it.
/// </summary>
public sealed class PaymentReversalTests : IAsyncLifetime
{
    private const long PackAmount = 4500; // the 500-credit pack, in cents
    private readonly FakeStripeApi _stripe = new();
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private BotTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartHostAsync(_stripe.Settings(), _clock);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _stripe.Dispose();
    }

    private ICreditLedger Ledger => _host.Services.GetRequiredService<ICreditLedger>();

    [Fact]
    public async Task A_refund_takes_back_the_purchase_once_whatever_the_redeliveries_and_a_later_dispute_of_the_same_charge()
    {
        const string userId = "u-refund";
        await BuyAsync(userId, "evt_buy1", "cs_test_refund", "pi_3Refund");
        Assert.Equal(new CreditBalances(100, 0, 500), await Ledger.GetBalanceAsync(userId));

        var refunded = Event("evt_refund1", "charge.refunded", FakeStripeApi.Charge("ch_3Refund", "pi_3Refund", PackAmount, PackAmount));
        for (var i = 0; i < 3; i++) await DeliverAsync(refunded, "Processed", "Duplicate");
        // The same charge reversed again, under other event ids: a second refund report and a dispute.
        await DeliverAsync(Event("evt_refund2", "charge.refunded", FakeStripeApi.Charge("ch_3Refund", "pi_3Refund", PackAmount, PackAmount)), "Processed");
        await DeliverAsync(Event("evt_dispute1", "charge.dispute.created", FakeStripeApi.Dispute("dp_1Refund", "ch_3Refund", "pi_3Refund", PackAmount)), "Processed");

        Assert.Equal(new CreditBalances(100, 0, 0), await Ledger.GetBalanceAsync(userId));
        var reversal = Assert.Single(await TransactionsAsync(userId), t => t.Kind == CreditTransactionKind.PaymentReversal);
        Assert.Equal(-500, reversal.Amount);
        Assert.Equal("stripe:reversal:cs_test_refund:1", reversal.Reference);
        Assert.Equal("stripe", reversal.By);
    }

    [Fact]
    public async Task A_partial_refund_takes_back_its_share_and_the_rest_of_the_refund_the_remainder()
    {
        const string userId = "u-partial";
        await BuyAsync(userId, "evt_buy2", "cs_test_partial", "pi_3Partial");

        await DeliverAsync(Event("evt_part1", "charge.refunded", FakeStripeApi.Charge("ch_3Partial", "pi_3Partial", PackAmount, PackAmount / 5)), "Processed");
        Assert.Equal(400, (await Ledger.GetBalanceAsync(userId)).TopUp);
        await DeliverAsync(Event("evt_part2", "charge.refunded", FakeStripeApi.Charge("ch_3Partial", "pi_3Partial", PackAmount, PackAmount)), "Processed");
        // An older report arriving late (less refunded) changes nothing.
        await DeliverAsync(Event("evt_part0", "charge.refunded", FakeStripeApi.Charge("ch_3Partial", "pi_3Partial", PackAmount, PackAmount / 5)), "Processed");

        Assert.Equal(new CreditBalances(100, 0, 0), await Ledger.GetBalanceAsync(userId));
        var reversals = (await TransactionsAsync(userId)).Where(t => t.Kind == CreditTransactionKind.PaymentReversal).OrderBy(t => t.Reference).ToList();
        Assert.Equal([-100m, -400m], reversals.Select(t => t.Amount));
    }

    [Fact]
    public async Task Spent_credits_of_a_disputed_payment_leave_the_balance_negative_and_pause_deploys_until_a_purchase_settles_it()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("menu");
        await chat.WaitForCardAsync();
        var userId = await UserIdAsync(_host, chat);
        await BuyAsync(userId, "evt_buy3", "cs_test_spent", "pi_3Spent");
        await Ledger.DebitAsync(userId, 550, SpendPolicy.AnyBucket, "deployment:d-spent", userId); // 100 awarded + 450 purchased

        await DeliverAsync(Event("evt_dispute3", "charge.dispute.created", FakeStripeApi.Dispute("dp_1Spent", "ch_3Spent", "pi_3Spent", PackAmount)), "Processed");

        var owed = await Ledger.GetBalanceAsync(userId);
        Assert.Equal(new CreditBalances(0, 0, -450), owed);
        var reversal = Assert.Single(await TransactionsAsync(userId), t => t.Kind == CreditTransactionKind.PaymentReversal);
        Assert.Equal(-500, reversal.Amount);
        Assert.Equal(-450, reversal.BalanceAfter.Total);

        // The chat: picking a module says why nothing can be deployed, with the way out.
        await chat.SendTextAsync("deploy Network");
        var paused = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Deployments are paused"));
        Assert.Contains("-450 credits", DirectLineTestClient.AllText(paused));
        Assert.Contains(DirectLineTestClient.Actions(paused), a => (string?)a["title"] == "Buy credits");
        // The transactions card names the reversal.
        await chat.SendTextAsync("billing transactions");
        Assert.Contains("Payment reversed", DirectLineTestClient.AllText(
            await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Payment reversed"))));

        // The REST API refuses the start too, with problem details; nothing is created or charged.
        var key = (await _host.Services.GetRequiredService<ApiKeyStore>().CreateAsync(userId, false, "test", null)).Key;
        using (var refused = await StartOverApiAsync(key, "Network"))
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("below zero", await refused.Content.ReadAsStringAsync());
        }
        Assert.Equal(owed, await Ledger.GetBalanceAsync(userId));

        // A new purchase brings the balance back to 50: deploying works again.
        await BuyAsync(userId, "evt_buy4", "cs_test_settle", "pi_3Settle");
        Assert.Equal(50, (await Ledger.GetBalanceAsync(userId)).Total);
        await chat.SendTextAsync("deploy Network");
        var form = await FormDriver.WaitForFormAsync(chat);
        Assert.DoesNotContain("Deployments are paused", DirectLineTestClient.AllText(form));
        using var started = await StartOverApiAsync(key, "Network");
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        Assert.Equal(40, (await Ledger.GetBalanceAsync(userId)).Total);
    }

    [Fact]
    public async Task A_refund_of_a_purchase_made_before_purchases_were_recorded_is_found_through_its_checkout_session()
    {
        const string userId = "u-older";
        await Ledger.CreditAsync(userId, CreditBucket.TopUp, 500, CreditTransactionKind.TopUp, "stripe:checkout:cs_test_older", "stripe");
        var session = FakeStripeApi.CompletedSession("cs_test_older", userId, "payment", "paid", "500", paymentIntent: "pi_3Older");
        _stripe.KnowsSession("pi_3Older", session);

        await DeliverAsync(Event("evt_older", "charge.refunded", FakeStripeApi.Charge("ch_3Older", "pi_3Older", PackAmount, PackAmount)), "Processed");

        Assert.Equal(new CreditBalances(100, 0, 0), await Ledger.GetBalanceAsync(userId));
    }

    [Fact]
    public async Task A_reversed_charge_that_bought_no_credit_pack_changes_nothing()
    {
        const string userId = "u-other-charge";
        await BuyAsync(userId, "evt_buy5", "cs_test_other", "pi_3Mine");

        await DeliverAsync(Event("evt_other", "charge.refunded", FakeStripeApi.Charge("ch_3Invoice", "pi_3SubscriptionInvoice", 7900, 7900)), "Ignored");

        Assert.Equal(new CreditBalances(100, 0, 500), await Ledger.GetBalanceAsync(userId));
    }

    [Fact]
    public async Task A_refund_reported_before_the_checkout_event_is_settled_when_the_top_up_arrives()
    {
        const string userId = "u-early";
        var session = FakeStripeApi.CompletedSession("cs_test_early", userId, "payment", "paid", "500", paymentIntent: "pi_3Early");
        _stripe.KnowsSession("pi_3Early", session);

        await DeliverAsync(Event("evt_early_refund", "charge.refunded", FakeStripeApi.Charge("ch_3Early", "pi_3Early", PackAmount, PackAmount)), "Processed");
        Assert.Equal(new CreditBalances(100, 0, 0), await Ledger.GetBalanceAsync(userId)); // nothing was bought yet, nothing owed
        await DeliverAsync(Event("evt_early_paid", "checkout.session.completed", session), "Processed");

        Assert.Equal(new CreditBalances(100, 0, 0), await Ledger.GetBalanceAsync(userId));
        var kinds = (await TransactionsAsync(userId)).Select(t => t.Kind).ToList();
        Assert.Single(kinds, CreditTransactionKind.TopUp);
        Assert.Single(kinds, CreditTransactionKind.PaymentReversal);
    }

    private async Task BuyAsync(string userId, string eventId, string sessionId, string paymentIntent)
    {
        await Ledger.GetBalanceAsync(userId);
        await DeliverAsync(Event(eventId, "checkout.session.completed",
            FakeStripeApi.CompletedSession(sessionId, userId, "payment", "paid", "500", paymentIntent: paymentIntent)), "Processed");
    }

    private string Event(string id, string type, JsonObject dataObject) => FakeStripeApi.Event(id, type, dataObject, _clock.GetUtcNow());

    private async Task DeliverAsync(string body, params string[] outcomes)
    {
        using var response = await PostEventAsync(_host, body, FakeStripeApi.Sign(body, _clock.GetUtcNow()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outcome = (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["outcome"];
        Assert.Contains(outcome, outcomes);
    }

    private async Task<IReadOnlyList<CreditTransaction>> TransactionsAsync(string userId) =>
        (await Ledger.ListTransactionsAsync(userId, null, 200)).Items;

    private async Task<HttpResponseMessage> StartOverApiAsync(string key, string module)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/deployments")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new JsonObject
            {
                ["module"] = module,
                ["inputs"] = new JsonObject { ["project_id"] = "acme-prod-1" },
            }),
        };
        request.Headers.Add("X-Api-Key", key);
        request.Headers.Add("Idempotency-Key", "start-" + Guid.NewGuid().ToString("N"));
        return await _host.Client.SendAsync(request);
    }
}
