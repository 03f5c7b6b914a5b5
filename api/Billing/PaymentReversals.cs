using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Billing;

/// <summary>One credit pack bought through Stripe Checkout (keyed by its payment intent) and what was reversed of it.</summary>
public sealed record StripePurchase
{
    public string Type { get; init; } = "purchase";
    public required string PaymentIntentId { get; init; }
    public required string UserId { get; init; }
    public required string SessionId { get; init; }
    public decimal Credits { get; init; }
    /// <summary>What the customer paid, in the currency's smallest unit.</summary>
    public long Amount { get; init; }
    public string Currency { get; init; } = "usd";
    /// <summary>The highest cumulative refunded amount Stripe reported for the charge.</summary>
    public long RefundedAmount { get; init; }
    /// <summary>Disputed amounts by dispute id.</summary>
    public Dictionary<string, long> Disputes { get; init; } = [];
    /// <summary>Credits taken back so far, one step per increase of <see cref="DueCredits"/>; each step is one ledger reversal.</summary>
    public List<PurchaseReversal> Reversals { get; init; } = [];

    /// <summary>The ledger reference of the top-up this purchase gave.</summary>
    [JsonIgnore] public string TopUpReference => StripeReferences.Checkout(SessionId);

    [JsonIgnore] public decimal ReversedCredits => Reversals.Sum(r => r.Credits);

    /// <summary>
    /// The credits the refunds and disputes so far take back: in proportion to the money reversed, never more than were
    /// bought (a charge refunded and then disputed is reversed once).
    /// </summary>
    [JsonIgnore]
    public decimal DueCredits
    {
        get
        {
            var reversed = RefundedAmount + Disputes.Values.Sum();
            if (reversed <= 0) return 0;
            if (Amount <= 0 || reversed >= Amount) return Credits;
            return Math.Round(Credits * reversed / Amount, 2, MidpointRounding.ToZero);
        }
    }
}

/// <summary>One ledger reversal of a purchase: <see cref="Reference"/> is <c>stripe:reversal:SESSION:NUMBER</c>.</summary>
public sealed record PurchaseReversal(int Number, decimal Credits, string Reference, DateTimeOffset At);

/// <summary>The ledger references billing derives from Stripe object ids.</summary>
public static class StripeReferences
{
    public static string Checkout(string sessionId) => "stripe:checkout:" + sessionId;
    public static string Reversal(string sessionId, int number) => $"stripe:reversal:{sessionId}:{number}";
}

/// <summary>
/// Takes back the credits of purchases Stripe refunded or disputed. Each purchase document records the refunded and
/// disputed amounts; a conditional write turns a rise of what is due into a numbered reversal step, and every step is
/// applied to the ledger with its own reference, so redeliveries, out-of-order events and a refund followed by a
/// dispute move the credits once. A step is added only once the purchase's top-up is in the ledger (a reversal that
/// arrives first is settled right after the top-up).
/// </summary>
public sealed class PaymentReversals(IDocumentStore store, ICreditLedger ledger, StripeGateway stripe, TimeProvider clock,
    ILogger<PaymentReversals> logger)
{
    private const string PurchasesPartition = "purchases";

    public async Task<StripePurchase?> FindAsync(string paymentIntentId, CancellationToken ct)
    {
        var document = await store.ReadAsync(BillingAccounts.Container, PurchasesPartition, paymentIntentId, ct);
        return document is null ? null : StoreJson.FromBody<StripePurchase>(document.Body);
    }

    /// <summary>Remembers a paid checkout's purchase (before its top-up), once; an existing record is kept.</summary>
    public async Task RecordAsync(StripePurchase purchase, CancellationToken ct)
    {
        try
        {
            await store.CreateAsync(BillingAccounts.Container, PurchasesPartition, purchase.PaymentIntentId, StoreJson.ToBody(purchase), ct: ct);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
            // Recorded by an earlier delivery (or recovered from Stripe by a reversal that came first).
        }
    }

    /// <summary>
    /// The purchase paid with <paramref name="paymentIntentId"/>: the recorded one, or for a purchase completed before
    /// purchases were recorded, the one Stripe's checkout session names. Null when it paid for no credit pack.
    /// </summary>
    public async Task<StripePurchase?> FindOrRecoverAsync(string paymentIntentId, CancellationToken ct)
    {
        if (await FindAsync(paymentIntentId, ct) is { } known) return known;
        var session = await stripe.FindPaymentSessionAsync(paymentIntentId, ct);
        if (session is null) return null;
        await RecordAsync(session, ct);
        return await FindAsync(paymentIntentId, ct);
    }

    /// <summary>Records what Stripe reports about the purchase (<paramref name="report"/>) and takes back what is now due.</summary>
    public async Task<StripePurchase> ReportAsync(string paymentIntentId, Func<StripePurchase, StripePurchase> report, CancellationToken ct)
    {
        var purchase = await UpdateAsync(paymentIntentId, report, ct);
        return await SettleAsync(purchase, ct);
    }

    /// <summary>Adds the reversal step now due (when the top-up is in the ledger) and applies every step, each once.</summary>
    public async Task<StripePurchase> SettleAsync(StripePurchase purchase, CancellationToken ct)
    {
        // Read after the report was written: whichever of the top-up and the report comes last adds the step.
        var credited = await ledger.FindTransactionAsync(purchase.UserId, purchase.TopUpReference, ct) is not null;
        if (credited && purchase.DueCredits > purchase.ReversedCredits)
        {
            var now = clock.GetUtcNow();
            purchase = await UpdateAsync(purchase.PaymentIntentId, p => p.DueCredits > p.ReversedCredits
                ? p with
                {
                    Reversals = [.. p.Reversals, new PurchaseReversal(p.Reversals.Count + 1, p.DueCredits - p.ReversedCredits,
                        StripeReferences.Reversal(p.SessionId, p.Reversals.Count + 1), now)],
                }
                : p, ct);
        }
        foreach (var step in purchase.Reversals)
        {
            var result = await ledger.ReverseAsync(purchase.UserId, step.Credits, step.Reference, BillingService.StripeBy, ct);
            if (result is CreditResult.Credited { Transaction: var transaction })
                logger.LogWarning("Payment {PaymentIntentId} of user {UserId} was reversed: {Credits} credits taken back ({Reference}); balance {Balance}.",
                    purchase.PaymentIntentId, purchase.UserId, step.Credits, step.Reference, transaction.BalanceAfter.Total);
        }
        return purchase;
    }

    private async Task<StripePurchase> UpdateAsync(string paymentIntentId, Func<StripePurchase, StripePurchase> change, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var document = await store.ReadAsync(BillingAccounts.Container, PurchasesPartition, paymentIntentId, ct)
                ?? throw new StorageException(StorageErrorKind.NotFound, $"No purchase was paid with {paymentIntentId}.");
            var current = StoreJson.FromBody<StripePurchase>(document.Body);
            var next = change(current);
            if (ReferenceEquals(next, current)) return current;
            try
            {
                await store.ReplaceAsync(BillingAccounts.Container, PurchasesPartition, paymentIntentId, StoreJson.ToBody(next), document.ETag, ct: ct);
                return next;
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed)
            {
                await Task.Delay(Random.Shared.Next(1, 10), ct);
            }
        }
        throw new StorageException(StorageErrorKind.Unavailable, $"The purchase paid with {paymentIntentId} kept changing.");
    }
}
