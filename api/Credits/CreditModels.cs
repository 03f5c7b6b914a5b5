using System.Text.Json.Serialization;

namespace PartnerBot.Api.Credits;

public enum CreditBucket { Awarded, Subscription, TopUp }

/// <summary><see cref="PaymentReversal"/>: credits taken back because Stripe refunded or disputed the payment that bought them.</summary>
public enum CreditTransactionKind { SignupAward, Award, Subscription, TopUp, Debit, Refund, Adjustment, PaymentReversal }

/// <summary>Which buckets a debit may draw from.</summary>
public enum SpendPolicy
{
    /// <summary>Awarded first, then subscription, then top-up.</summary>
    AnyBucket,
    /// <summary>Only purchased (top-up) credits: modules with <c>require_credit_purchases</c>.</summary>
    PurchasedOnly,
}

/// <summary>The three balances of one user (or, in a transaction, the signed change to each).</summary>
public sealed record CreditBalances(decimal Awarded, decimal Subscription, decimal TopUp)
{
    public static CreditBalances Zero { get; } = new(0, 0, 0);
    public decimal Total => Awarded + Subscription + TopUp;

    public decimal this[CreditBucket bucket] => bucket switch
    {
        CreditBucket.Awarded => Awarded,
        CreditBucket.Subscription => Subscription,
        _ => TopUp,
    };

    public CreditBalances Add(CreditBalances delta) =>
        new(Awarded + delta.Awarded, Subscription + delta.Subscription, TopUp + delta.TopUp);

    public CreditBalances Negate() => new(-Awarded, -Subscription, -TopUp);

    public static CreditBalances Only(CreditBucket bucket, decimal amount) => bucket switch
    {
        CreditBucket.Awarded => new(amount, 0, 0),
        CreditBucket.Subscription => new(0, amount, 0),
        _ => new(0, 0, amount),
    };

    public decimal Available(SpendPolicy policy) => policy == SpendPolicy.PurchasedOnly ? TopUp : Total;

    /// <summary>Below zero after a reversed payment whose credits were already spent: new deployments wait until it is settled.</summary>
    [JsonIgnore] public bool Owes => Total < 0;
}

/// <summary>One immutable ledger entry. <paramref name="Amount"/> is signed (debits are negative).</summary>
/// <param name="Reference">What caused it, unique per change: <c>deployment:ID</c>, <c>stripe:EVENT</c>, <c>admin:ID</c>, <c>signup:USER</c>.</param>
public sealed record CreditTransaction(
    string Id,
    string UserId,
    CreditTransactionKind Kind,
    decimal Amount,
    CreditBalances Buckets,
    string Reference,
    DateTimeOffset At,
    long AtMs,
    string By,
    CreditBalances BalanceAfter);

public abstract record DebitResult
{
    private DebitResult() { }
    public sealed record Debited(CreditTransaction Transaction) : DebitResult;
    /// <summary>The reference was charged before; nothing changed this time.</summary>
    public sealed record AlreadyApplied(string Reference) : DebitResult;
    public sealed record Insufficient(decimal Cost, decimal Available) : DebitResult;
}

public abstract record CreditResult
{
    private CreditResult() { }
    public sealed record Credited(CreditTransaction Transaction) : CreditResult;
    public sealed record AlreadyApplied(string Reference) : CreditResult;
    /// <summary>A refund whose original debit is unknown (never charged), so there is nothing to give back.</summary>
    public sealed record NothingToRefund(string Reference) : CreditResult;
}

public sealed record CreditTransactionPage(IReadOnlyList<CreditTransaction> Items, string? ContinuationToken);

/// <summary>How a debit is split across buckets, in the spend order awarded → subscription → top-up.</summary>
public static class SpendOrder
{
    /// <summary>The negative per-bucket deltas that pay <paramref name="cost"/>, or null when the balance cannot cover it.</summary>
    public static CreditBalances? Plan(CreditBalances balance, decimal cost, SpendPolicy policy)
    {
        if (cost < 0) throw new ArgumentOutOfRangeException(nameof(cost), "A debit cannot be negative.");
        if (balance.Available(policy) < cost) return null;
        if (policy == SpendPolicy.PurchasedOnly) return new CreditBalances(0, 0, -cost);

        var remaining = cost;
        var fromAwarded = Math.Min(Math.Max(balance.Awarded, 0), remaining);
        remaining -= fromAwarded;
        var fromSubscription = Math.Min(Math.Max(balance.Subscription, 0), remaining);
        remaining -= fromSubscription;
        var fromTopUp = remaining;
        if (fromTopUp > 0 && fromTopUp > balance.TopUp) return null;
        return new CreditBalances(-fromAwarded, -fromSubscription, -fromTopUp);
    }

    /// <summary>
    /// The negative per-bucket deltas that take back <paramref name="amount"/> reversed credits: from top-up first (what
    /// the payment bought), then subscription, then awarded; whatever is left leaves top-up below zero.
    /// </summary>
    public static CreditBalances Reversal(CreditBalances balance, decimal amount)
    {
        if (amount < 0) throw new ArgumentOutOfRangeException(nameof(amount), "A reversal cannot be negative.");
        var fromTopUp = Math.Min(Math.Max(balance.TopUp, 0), amount);
        var remaining = amount - fromTopUp;
        var fromSubscription = Math.Min(Math.Max(balance.Subscription, 0), remaining);
        remaining -= fromSubscription;
        var fromAwarded = Math.Min(Math.Max(balance.Awarded, 0), remaining);
        remaining -= fromAwarded;
        return new CreditBalances(-fromAwarded, -fromSubscription, -(fromTopUp + remaining));
    }
}
