using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Storage;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Credits;

public sealed class SqliteCreditLedgerTests() : CreditLedgerTests(StoreKind.Sqlite);

/// <summary>The ledger on the Cosmos DB adapter: conditional patches and reference documents against the protocol test server.</summary>
[RequiresNode]
public sealed class CosmosCreditLedgerTests() : CreditLedgerTests(StoreKind.Cosmos);

/// <summary>The credit ledger against a fresh store of the kind each subclass names.</summary>
public abstract class CreditLedgerTests(StoreKind kind) : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync(kind);
    public async Task DisposeAsync() => await _store.DisposeAsync();

    private CreditLedger Ledger(decimal signupAward = 0, IDocumentStore? store = null) =>
        new(store ?? _store.Store, Options.Create(new CreditOptions { SignupAward = signupAward }), TimeProvider.System,
            NullLogger<CreditLedger>.Instance);

    [StoreFact]
    public async Task Hundred_parallel_debits_against_ten_credits_charge_exactly_ten()
    {
        var ledger = Ledger(signupAward: 10);
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            Task.Run(() => ledger.DebitAsync("u-par", 1, SpendPolicy.AnyBucket, $"deployment:d{i}", "u-par"))));

        Assert.Equal(10, results.Count(r => r is DebitResult.Debited));
        Assert.Equal(90, results.Count(r => r is DebitResult.Insufficient));
        var balance = await ledger.GetBalanceAsync("u-par");
        Assert.Equal(0, balance.Total);
        var transactions = await ledger.ListTransactionsAsync("u-par", null, 200);
        Assert.Equal(10, transactions.Items.Count(t => t.Kind == CreditTransactionKind.Debit));
        Assert.All(transactions.Items, t => Assert.True(t.BalanceAfter.Total >= 0));
    }

    [StoreFact]
    public async Task The_same_reference_twice_charges_once()
    {
        var ledger = Ledger(signupAward: 10);
        var first = await ledger.DebitAsync("u-dup", 3, SpendPolicy.AnyBucket, "deployment:same", "u-dup");
        var second = await ledger.DebitAsync("u-dup", 3, SpendPolicy.AnyBucket, "deployment:same", "u-dup");

        Assert.IsType<DebitResult.Debited>(first);
        Assert.IsType<DebitResult.AlreadyApplied>(second);
        Assert.Equal(7, (await ledger.GetBalanceAsync("u-dup")).Total);
    }

    [StoreFact]
    public async Task The_same_reference_in_parallel_charges_once()
    {
        var ledger = Ledger(signupAward: 10);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Task.Run(() => ledger.DebitAsync("u-dup-par", 2, SpendPolicy.AnyBucket, "deployment:click", "u-dup-par"))));

        Assert.Single(results, r => r is DebitResult.Debited);
        Assert.Equal(8, (await ledger.GetBalanceAsync("u-dup-par")).Total);
    }

    [StoreFact]
    public async Task A_reference_older_than_the_remembered_window_is_still_recognised()
    {
        var ledger = Ledger();
        await ledger.CreditAsync("u-old", CreditBucket.TopUp, 1000, CreditTransactionKind.TopUp, "stripe:evt_1", "stripe");
        await ledger.DebitAsync("u-old", 1, SpendPolicy.AnyBucket, "deployment:first", "u-old");
        for (var i = 0; i < 300; i++)
            await ledger.CreditAsync("u-old", CreditBucket.Awarded, 1, CreditTransactionKind.Award, $"admin:{i}", "admin");

        var again = await ledger.DebitAsync("u-old", 1, SpendPolicy.AnyBucket, "deployment:first", "u-old");

        Assert.IsType<DebitResult.AlreadyApplied>(again);
    }

    [StoreFact]
    public async Task Debits_follow_the_spend_order_across_buckets()
    {
        var ledger = Ledger(signupAward: 2);
        await ledger.CreditAsync("u-order", CreditBucket.Subscription, 3, CreditTransactionKind.Subscription, "stripe:sub_1", "stripe");
        await ledger.CreditAsync("u-order", CreditBucket.TopUp, 10, CreditTransactionKind.TopUp, "stripe:pi_1", "stripe");

        var debit = Assert.IsType<DebitResult.Debited>(await ledger.DebitAsync("u-order", 7, SpendPolicy.AnyBucket, "deployment:x", "u-order"));

        Assert.Equal(new CreditBalances(-2, -3, -2), debit.Transaction.Buckets);
        Assert.Equal(new CreditBalances(0, 0, 8), await ledger.GetBalanceAsync("u-order"));
    }

    [StoreFact]
    public async Task Purchased_only_debits_refuse_awarded_credits()
    {
        var ledger = Ledger(signupAward: 100);
        var result = await ledger.DebitAsync("u-buy", 5, SpendPolicy.PurchasedOnly, "deployment:p", "u-buy");

        var refused = Assert.IsType<DebitResult.Insufficient>(result);
        Assert.Equal(0, refused.Available);
        Assert.Equal(100, (await ledger.GetBalanceAsync("u-buy")).Total);
    }

    [StoreFact]
    public async Task The_signup_award_is_granted_once_even_when_two_hosts_open_the_account_together()
    {
        var first = Ledger(signupAward: 100);
        var second = Ledger(signupAward: 100, store: _store.Reopen());
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? first : second).GetBalanceAsync("u-new")));

        Assert.Equal(100, (await first.GetBalanceAsync("u-new")).Awarded);
        var transactions = await first.ListTransactionsAsync("u-new", null);
        Assert.Single(transactions.Items, t => t.Kind == CreditTransactionKind.SignupAward);
    }

    [StoreFact]
    public async Task A_refund_returns_what_the_debit_took_to_the_same_buckets_once()
    {
        var ledger = Ledger(signupAward: 2);
        await ledger.CreditAsync("u-ref", CreditBucket.TopUp, 5, CreditTransactionKind.TopUp, "stripe:pi_2", "stripe");
        await ledger.DebitAsync("u-ref", 4, SpendPolicy.AnyBucket, "deployment:r", "u-ref");

        Assert.IsType<CreditResult.Credited>(await ledger.RefundAsync("u-ref", "deployment:r", "u-ref"));
        Assert.IsType<CreditResult.AlreadyApplied>(await ledger.RefundAsync("u-ref", "deployment:r", "u-ref"));
        Assert.IsType<CreditResult.NothingToRefund>(await ledger.RefundAsync("u-ref", "deployment:never", "u-ref"));
        Assert.Equal(new CreditBalances(2, 0, 5), await ledger.GetBalanceAsync("u-ref"));
    }

    [StoreFact]
    public async Task A_lost_transaction_document_is_rewritten_from_the_balance_document()
    {
        var ledger = Ledger(signupAward: 10);
        var debit = Assert.IsType<DebitResult.Debited>(await ledger.DebitAsync("u-lost", 1, SpendPolicy.AnyBucket, "deployment:l", "u-lost"));
        // As if the host died between the balance write and the transaction write.
        await _store.Store.DeleteAsync(CreditLedger.Container, "u-lost", debit.Transaction.Id);

        var transactions = await ledger.ListTransactionsAsync("u-lost", null);

        Assert.Contains(transactions.Items, t => t.Reference == "deployment:l" && t.Amount == -1);
        Assert.NotNull(await _store.Store.ReadAsync(CreditLedger.Container, "u-lost", debit.Transaction.Id));
    }
}
