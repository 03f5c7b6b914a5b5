using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Credits;
using PartnerBot.Tests.Infrastructure;
using static PartnerBot.Tests.Billing.BillingTestSupport;

namespace PartnerBot.Tests.Billing;

/// <summary>Subscribe and buy through the chat against a fake Stripe API, and Stripe's signed webhook events against the real host.</summary>
public sealed class StripeBillingTests : IAsyncLifetime
{
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
    public async Task Buying_credits_creates_a_payment_checkout_session_and_a_paid_session_credits_top_up_once_in_five_deliveries()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SubmitAsync(new JsonObject { ["verb"] = "billing", ["tab"] = "buy" });
        var buyTab = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("500 credits"));
        Assert.Contains("Purchased credits never expire", DirectLineTestClient.AllText(buyTab));

        await chat.SubmitAsync(ActionData(buyTab, d => (string?)d["verb"] == "billing.buy" && (int?)d["pack"] == 1));
        var pay = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Stripe"));
        Assert.Equal(FakeStripeApi.CheckoutUrl, LinkUrl(pay, "Pay with Stripe"));

        var userId = await UserIdAsync(_host, chat);
        var customer = Assert.Single(_stripe.FormsSentTo("/v1/customers"));
        Assert.Equal(userId, customer["metadata[user_id]"]);
        var session = Assert.Single(_stripe.FormsSentTo("/v1/checkout/sessions"));
        Assert.Equal("payment", session["mode"]);
        Assert.Equal(userId, session["client_reference_id"]);
        Assert.Equal(FakeStripeApi.CustomerId, session["customer"]);
        Assert.Equal("4500", session["line_items[0][price_data][unit_amount]"]);
        Assert.Equal("usd", session["line_items[0][price_data][currency]"]);
        Assert.Equal("1", session["line_items[0][quantity]"]);
        Assert.Equal("500", session["metadata[credits]"]);
        Assert.Equal(userId, session["metadata[user_id]"]);
        Assert.Equal("http://localhost:3978/billing/return?result=success&session_id={CHECKOUT_SESSION_ID}", session["success_url"]);
        Assert.Equal("http://localhost:3978/billing/return?result=cancel", session["cancel_url"]);
        Assert.All(_stripe.HeaderSentTo("/v1/checkout/sessions", "Idempotency-Key"), k => Assert.StartsWith("partnerbot-buy-", k));
        var before = await Ledger.GetBalanceAsync(userId);

        var body = FakeStripeApi.Event("evt_1PaidSession", "checkout.session.completed",
            FakeStripeApi.CompletedSession(FakeStripeApi.SessionId, userId, "payment", "paid", "500"), _clock.GetUtcNow());
        for (var i = 0; i < 5; i++)
        {
            using var response = await PostEventAsync(_host, body, FakeStripeApi.Sign(body, _clock.GetUtcNow()));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        // The same session reported again under another event id (async success) still credits once: the reference is the session.
        var again = FakeStripeApi.Event("evt_2AsyncSucceeded", "checkout.session.async_payment_succeeded",
            FakeStripeApi.CompletedSession(FakeStripeApi.SessionId, userId, "payment", "paid", "500"), _clock.GetUtcNow());
        Assert.Equal(HttpStatusCode.OK, (await PostEventAsync(_host, again, FakeStripeApi.Sign(again, _clock.GetUtcNow()))).StatusCode);

        var after = await Ledger.GetBalanceAsync(userId);
        Assert.Equal(before.TopUp + 500, after.TopUp);
        Assert.Equal(before.Awarded, after.Awarded);
        var topUps = (await Ledger.ListTransactionsAsync(userId, null, 200)).Items.Where(t => t.Kind == CreditTransactionKind.TopUp).ToList();
        Assert.Equal("stripe:checkout:" + FakeStripeApi.SessionId, Assert.Single(topUps).Reference);
    }

    [Fact]
    public async Task An_unpaid_session_credits_nothing_until_its_async_payment_succeeds()
    {
        const string userId = "u-async";
        var pending = FakeStripeApi.Event("evt_3Pending", "checkout.session.completed",
            FakeStripeApi.CompletedSession("cs_test_async", userId, "payment", "unpaid", "100"), _clock.GetUtcNow());
        Assert.Equal(HttpStatusCode.OK, (await PostEventAsync(_host, pending, FakeStripeApi.Sign(pending, _clock.GetUtcNow()))).StatusCode);
        Assert.Equal(0, (await Ledger.GetBalanceAsync(userId)).TopUp);

        var succeeded = FakeStripeApi.Event("evt_4Succeeded", "checkout.session.async_payment_succeeded",
            FakeStripeApi.CompletedSession("cs_test_async", userId, "payment", "paid", "100"), _clock.GetUtcNow());
        Assert.Equal(HttpStatusCode.OK, (await PostEventAsync(_host, succeeded, FakeStripeApi.Sign(succeeded, _clock.GetUtcNow()))).StatusCode);
        Assert.Equal(100, (await Ledger.GetBalanceAsync(userId)).TopUp);
    }

    [Fact]
    public async Task Subscribing_creates_a_subscription_checkout_and_paid_invoices_reset_the_subscription_balance_each_period()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("billing");
        var tiers = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Subscription tiers"));
        var text = DirectLineTestClient.AllText(tiers);
        Assert.Contains("Team", text);
        Assert.Contains("1000 credits per month", text);
        Assert.DoesNotContain("Support add-on", text); // a price without metadata.credits is not a tier
        foreach (var tab in new[] { "Buy credits", "Transactions", "Project costs", "Invoices" }) Assert.Contains(tab, text);

        await chat.SubmitAsync(ActionData(tiers, d => (string?)d["verb"] == "billing.subscribe" && (string?)d["tierId"] == FakeStripeApi.TeamPrice));
        var pay = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Stripe"));
        Assert.Equal(FakeStripeApi.CheckoutUrl, LinkUrl(pay, "Pay with Stripe"));
        var userId = await UserIdAsync(_host, chat);
        var session = Assert.Single(_stripe.FormsSentTo("/v1/checkout/sessions"));
        Assert.Equal("subscription", session["mode"]);
        Assert.Equal(FakeStripeApi.TeamPrice, session["line_items[0][price]"]);
        Assert.Equal("1", session["line_items[0][quantity]"]);
        Assert.Equal(userId, session["client_reference_id"]);
        Assert.Equal(userId, session["subscription_data[metadata][user_id]"]);
        Assert.StartsWith("http://localhost:3978/billing/return?result=success", session["success_url"]);
        Assert.Equal("http://localhost:3978/billing/return?result=cancel", session["cancel_url"]);

        await DeliverAsync(FakeStripeApi.Event("evt_5SubCompleted", "checkout.session.completed",
            FakeStripeApi.CompletedSession("cs_test_sub", userId, "subscription", "paid", "1000", "sub_1Team"), _clock.GetUtcNow()));
        var november = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        await DeliverAsync(FakeStripeApi.Event("evt_6Nov", "invoice.paid",
            FakeStripeApi.PaidInvoice("in_Nov", userId, "sub_1Team", FakeStripeApi.TeamPrice, november), _clock.GetUtcNow()));
        Assert.Equal(1000, (await Ledger.GetBalanceAsync(userId)).Subscription);

        await Ledger.DebitAsync(userId, 400, SpendPolicy.AnyBucket, "deployment:d-sub", userId); // 100 awarded + 300 subscription
        Assert.Equal(700, (await Ledger.GetBalanceAsync(userId)).Subscription);

        await DeliverAsync(FakeStripeApi.Event("evt_7Dec", "invoice.paid",
            FakeStripeApi.PaidInvoice("in_Dec", userId, "sub_1Team", FakeStripeApi.TeamPrice, november.AddMonths(1)), _clock.GetUtcNow()));
        Assert.Equal(1000, (await Ledger.GetBalanceAsync(userId)).Subscription); // reset, not 1700
        // A late delivery of an older period's invoice does not reset again.
        await DeliverAsync(FakeStripeApi.Event("evt_8Oct", "invoice.paid",
            FakeStripeApi.PaidInvoice("in_Oct", userId, "sub_1Team", FakeStripeApi.TeamPrice, november.AddMonths(-1)), _clock.GetUtcNow()));
        await Ledger.DebitAsync(userId, 50, SpendPolicy.AnyBucket, "deployment:d-sub2", userId);
        Assert.Equal(950, (await Ledger.GetBalanceAsync(userId)).Subscription);

        // One active subscription at a time: a second subscribe is refused with the portal to change it.
        await chat.SubmitAsync(new JsonObject { ["verb"] = "billing.subscribe", ["tierId"] = FakeStripeApi.StarterPrice, ["requestId"] = "second" });
        var refused = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("already have an active subscription"));
        Assert.Equal(FakeStripeApi.PortalUrl, LinkUrl(refused, "Open the customer portal"));
        Assert.Single(_stripe.FormsSentTo("/v1/checkout/sessions"));
        Assert.Equal(FakeStripeApi.CustomerId, _stripe.FormsSentTo("/v1/billing_portal/sessions")[0]["customer"]);

        // Cancelled in the portal: Stripe sends customer.subscription.deleted; subscribing is possible again.
        await DeliverAsync(FakeStripeApi.Event("evt_9Deleted", "customer.subscription.deleted", new JsonObject
        {
            ["id"] = "sub_1Team", ["object"] = "subscription", ["customer"] = FakeStripeApi.CustomerId, ["status"] = "canceled",
            ["metadata"] = new JsonObject { ["user_id"] = userId }, ["created"] = 1763900000,
        }, _clock.GetUtcNow()));
        await chat.SendTextAsync("billing tiers");
        var reopened = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("You have no subscription"));
        Assert.Contains(DirectLineTestClient.Actions(reopened), a => (string?)a["data"]?["verb"] == "billing.subscribe");

        // A new subscription after the cancelled one is recorded; a late update about the old one does not replace it.
        await DeliverAsync(FakeStripeApi.Event("evt_10Resub", "checkout.session.completed",
            FakeStripeApi.CompletedSession("cs_test_sub2", userId, "subscription", "paid", "200", "sub_2Starter"), _clock.GetUtcNow()));
        await DeliverAsync(FakeStripeApi.Event("evt_11OldUpdate", "customer.subscription.updated", new JsonObject
        {
            ["id"] = "sub_1Team", ["object"] = "subscription", ["customer"] = FakeStripeApi.CustomerId, ["status"] = "canceled",
            ["metadata"] = new JsonObject { ["user_id"] = userId }, ["created"] = 1763900000,
        }, _clock.GetUtcNow()));
        var account = await _host.Services.GetRequiredService<PartnerBot.Api.Billing.BillingAccounts>().GetAsync(userId, default);
        Assert.Equal("sub_2Starter", account.SubscriptionId);
        Assert.True(account.HasActiveSubscription);
    }

    [Fact]
    public async Task In_add_mode_each_paid_period_adds_to_the_subscription_balance()
    {
        await _host.DisposeAsync();
        _host = await StartHostAsync(_stripe.Settings(subscriptionCredits: "Add"), _clock);
        const string userId = "u-add";
        var start = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
        await DeliverAsync(FakeStripeApi.Event("evt_a1", "invoice.paid", FakeStripeApi.PaidInvoice("in_a1", userId, "sub_A", FakeStripeApi.StarterPrice, start), _clock.GetUtcNow()));
        await DeliverAsync(FakeStripeApi.Event("evt_a2", "invoice.paid", FakeStripeApi.PaidInvoice("in_a2", userId, "sub_A", FakeStripeApi.StarterPrice, start.AddMonths(1)), _clock.GetUtcNow()));
        await DeliverAsync(FakeStripeApi.Event("evt_a2", "invoice.paid", FakeStripeApi.PaidInvoice("in_a2", userId, "sub_A", FakeStripeApi.StarterPrice, start.AddMonths(1)), _clock.GetUtcNow()));
        Assert.Equal(400, (await Ledger.GetBalanceAsync(userId)).Subscription);
    }

    [Fact]
    public async Task A_bad_or_old_signature_is_refused_with_400_and_changes_nothing()
    {
        const string userId = "u-sig";
        var body = FakeStripeApi.Event("evt_sig", "checkout.session.completed",
            FakeStripeApi.CompletedSession("cs_test_sig", userId, "payment", "paid", "100"), _clock.GetUtcNow());

        var wrongSecret = await PostEventAsync(_host, body, FakeStripeApi.Sign(body, _clock.GetUtcNow(), "whsec_someone_else"));
        var tooOld = await PostEventAsync(_host, body, FakeStripeApi.Sign(body, _clock.GetUtcNow().AddMinutes(-6)));
        var tampered = await PostEventAsync(_host, body.Replace("\"100\"", "\"100000\"", StringComparison.Ordinal), FakeStripeApi.Sign(body, _clock.GetUtcNow()));
        var missing = await PostEventAsync(_host, body, null);

        foreach (var response in new[] { wrongSecret, tooOld, tampered, missing })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(0, (await Ledger.GetBalanceAsync(userId)).TopUp);

        // Nothing was recorded either: the genuine delivery of the same event is still applied.
        Assert.Equal(HttpStatusCode.OK, (await PostEventAsync(_host, body, FakeStripeApi.Sign(body, _clock.GetUtcNow()))).StatusCode);
        Assert.Equal(100, (await Ledger.GetBalanceAsync(userId)).TopUp);
    }

    [Fact]
    public async Task Unknown_event_types_are_acknowledged_and_processing_errors_answer_5xx_for_a_retry()
    {
        var unknown = FakeStripeApi.Event("evt_unknown", "payment_intent.created", new JsonObject { ["id"] = "pi_1", ["object"] = "payment_intent" }, _clock.GetUtcNow());
        Assert.Equal(HttpStatusCode.OK, (await PostEventAsync(_host, unknown, FakeStripeApi.Sign(unknown, _clock.GetUtcNow()))).StatusCode);

        // An invoice of a customer nobody knows yet (its checkout event has not arrived): 5xx, so Stripe retries later.
        var invoice = FakeStripeApi.PaidInvoice("in_orphan", "ignored", "sub_X", FakeStripeApi.TeamPrice, DateTimeOffset.UtcNow);
        invoice["customer"] = "cus_Unknown";
        invoice["parent"]!["subscription_details"]!["metadata"] = new JsonObject();
        var orphan = FakeStripeApi.Event("evt_orphan", "invoice.paid", invoice, _clock.GetUtcNow());
        var response = await PostEventAsync(_host, orphan, FakeStripeApi.Sign(orphan, _clock.GetUtcNow()));
        Assert.True((int)response.StatusCode >= 500, $"Expected 5xx, got {(int)response.StatusCode}.");
    }

    [Fact]
    public async Task The_invoices_tab_lists_the_months_stripe_invoices_with_their_hosted_links()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SubmitAsync(new JsonObject { ["verb"] = "billing", ["tab"] = "buy" });
        var buy = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("500 credits"));
        await chat.SubmitAsync(ActionData(buy, d => (string?)d["verb"] == "billing.buy" && (int?)d["pack"] == 0));
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Stripe"));

        await chat.SendTextAsync("billing invoices");
        var invoices = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Stripe invoices"));
        Assert.Contains("INV-0001", DirectLineTestClient.AllText(invoices));
        Assert.Equal("https://invoice.stripe.com/i/acct_1/test_in_1Nov", LinkUrl(invoices, "Invoice INV-0001"));
    }

    private async Task DeliverAsync(string body)
    {
        using var response = await PostEventAsync(_host, body, FakeStripeApi.Sign(body, _clock.GetUtcNow()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
