using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Billing;
using PartnerBot.Api.Credits;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Billing;

/// <summary>Period grants (Reset | Add), the ledger's bucket reset, and how the mode follows keys and environment.</summary>
public sealed class SubscriptionPeriodTests : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync(StoreKind.Sqlite);
    public async Task DisposeAsync() => await _store.DisposeAsync();

    private CreditLedger Ledger() => new(_store.Store, Options.Create(new CreditOptions { SignupAward = 10 }), TimeProvider.System,
        NullLogger<CreditLedger>.Instance);

    private BillingService Billing(ICreditLedger ledger, SubscriptionCreditMode mode, string environment = "Development", string secretKey = "")
    {
        var host = new TestEnvironment { EnvironmentName = environment };
        var stripeOptions = Options.Create(new StripeOptions { SecretKey = secretKey, WebhookSecret = secretKey.Length > 0 ? "whsec_x" : "" });
        return new BillingService(ledger, new BillingAccounts(_store.Store),
            new StripeGateway(stripeOptions, new NoHttp()), stripeOptions,
            Options.Create(new BillingOptions { SubscriptionCredits = mode }), host, new ConfigurationBuilder().Build(),
            NullLogger<BillingService>.Instance);
    }

    [Fact]
    public async Task Reset_sets_the_subscription_balance_to_the_period_amount_whatever_was_left()
    {
        var ledger = Ledger();
        var billing = Billing(ledger, SubscriptionCreditMode.Reset);
        await billing.GrantPeriodAsync("u-reset", 300, "stripe:invoice:1", "stripe", default);
        await ledger.DebitAsync("u-reset", 110, SpendPolicy.AnyBucket, "deployment:a", "u-reset"); // 10 awarded + 100 subscription
        var grant = Assert.IsType<CreditResult.Credited>(await billing.GrantPeriodAsync("u-reset", 300, "stripe:invoice:2", "stripe", default));

        Assert.Equal(100, grant.Transaction.Amount); // the change that restored 200 → 300
        Assert.Equal(new CreditBalances(0, 300, 0), await ledger.GetBalanceAsync("u-reset"));
        // Unused credits above the new period's amount are taken back to it.
        await billing.GrantPeriodAsync("u-reset", 50, "stripe:invoice:3", "stripe", default);
        Assert.Equal(50, (await ledger.GetBalanceAsync("u-reset")).Subscription);
    }

    [Fact]
    public async Task Add_accumulates_each_period_and_the_same_invoice_twice_grants_once()
    {
        var ledger = Ledger();
        var billing = Billing(ledger, SubscriptionCreditMode.Add);
        await billing.GrantPeriodAsync("u-add", 300, "stripe:invoice:1", "stripe", default);
        await billing.GrantPeriodAsync("u-add", 300, "stripe:invoice:2", "stripe", default);
        Assert.IsType<CreditResult.AlreadyApplied>(await billing.GrantPeriodAsync("u-add", 300, "stripe:invoice:2", "stripe", default));
        Assert.Equal(new CreditBalances(10, 600, 0), await ledger.GetBalanceAsync("u-add"));
    }

    [Fact]
    public async Task A_reset_leaves_the_other_buckets_alone_and_refuses_a_negative_amount()
    {
        var ledger = Ledger();
        await ledger.CreditAsync("u-buckets", CreditBucket.TopUp, 40, CreditTransactionKind.TopUp, "stripe:checkout:cs", "stripe");
        await ledger.SetBucketAsync("u-buckets", CreditBucket.Subscription, 70, CreditTransactionKind.Subscription, "stripe:invoice:x", "stripe");
        Assert.Equal(new CreditBalances(10, 70, 40), await ledger.GetBalanceAsync("u-buckets"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            ledger.SetBucketAsync("u-buckets", CreditBucket.Subscription, -1, CreditTransactionKind.Subscription, "stripe:invoice:y", "stripe"));
    }

    [Theory]
    [InlineData("Development", "", BillingMode.Sandbox)]
    [InlineData("Staging", "", BillingMode.Disabled)]
    [InlineData("Production", "", BillingMode.Disabled)]
    [InlineData("Production", "sk_live_x", BillingMode.Stripe)]
    [InlineData("Development", "sk_test_x", BillingMode.Stripe)]
    public void The_mode_follows_the_keys_and_the_environment(string environment, string secretKey, BillingMode expected) =>
        Assert.Equal(expected, Billing(Ledger(), SubscriptionCreditMode.Reset, environment, secretKey).Mode);

    [Fact]
    public async Task In_production_without_keys_purchases_are_refused_with_a_clear_message_and_sandbox_completion_is_impossible()
    {
        var ledger = Ledger();
        var billing = Billing(ledger, SubscriptionCreditMode.Reset, "Production");
        var buy = Assert.IsType<PurchaseStart.Refused>(await billing.StartPurchaseAsync(new Buyer("u-prod", null, null), 0, "r1", default));
        Assert.Contains("Stripe is not configured", buy.Reason);
        var subscribe = Assert.IsType<PurchaseStart.Refused>(await billing.StartSubscriptionAsync(new Buyer("u-prod", null, null), "tier-0", "r2", default));
        Assert.Contains("Stripe:SecretKey", subscribe.Reason);
        await Assert.ThrowsAsync<InvalidOperationException>(() => billing.CompleteSandboxPurchaseAsync("u-prod", 0, "r1", default));
        Assert.Equal(10, (await ledger.GetBalanceAsync("u-prod")).Total);
    }

    private sealed class TestEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";
        public string ApplicationName { get; set; } = "partnerbot";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }

    /// <summary>These tests never reach Stripe; a call would fail loudly.</summary>
    private sealed class NoHttp : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("No Stripe call expected in this test.");
    }
}
