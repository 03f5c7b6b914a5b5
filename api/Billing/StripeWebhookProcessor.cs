using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Credits;
using Stripe;
using Stripe.Checkout;

namespace PartnerBot.Api.Billing;

public enum WebhookOutcome { Processed, Duplicate, Ignored, BadSignature }

/// <summary>
/// Verifies and applies Stripe events. Every effect is idempotent (ledger references derived from Stripe object ids,
/// subscription changes ordered by event time), and each processed event id is recorded, so redeliveries and
/// out-of-order arrivals change nothing twice. Errors propagate so the endpoint answers 5xx and Stripe retries.
/// </summary>
public sealed class StripeWebhookProcessor(
    IOptions<StripeOptions> options,
    BillingAccounts accounts,
    BillingService billing,
    ICreditLedger ledger,
    StripeGateway stripe,
    PaymentReversals reversals,
    TimeProvider clock,
    ILogger<StripeWebhookProcessor> logger)
{
    public const long ToleranceSeconds = 300;

    public async Task<WebhookOutcome> ProcessAsync(string json, string? signatureHeader, CancellationToken ct)
    {
        var secret = options.Value.WebhookSecret;
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(signatureHeader)) return WebhookOutcome.BadSignature;
        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(json, signatureHeader, secret, ToleranceSeconds,
                clock.GetUtcNow().ToUnixTimeSeconds(), throwOnApiVersionMismatch: false);
        }
        catch (StripeException e)
        {
            logger.LogWarning("Stripe webhook rejected: {Reason}", e.Message);
            return WebhookOutcome.BadSignature;
        }

        if (await accounts.IsEventProcessedAsync(stripeEvent.Id, ct)) return WebhookOutcome.Duplicate;
        var handled = await ApplyAsync(stripeEvent, ct);
        await accounts.MarkEventProcessedAsync(stripeEvent.Id, stripeEvent.Type, clock.GetUtcNow(), ct);
        logger.LogInformation("Stripe event {EventId} ({Type}) {Outcome}.", stripeEvent.Id, stripeEvent.Type, handled ? "applied" : "ignored");
        return handled ? WebhookOutcome.Processed : WebhookOutcome.Ignored;
    }

    private Task<bool> ApplyAsync(Event e, CancellationToken ct) => e.Type switch
    {
        EventTypes.CheckoutSessionCompleted or EventTypes.CheckoutSessionAsyncPaymentSucceeded when e.Data.Object is Session s
            => CheckoutCompletedAsync(s, e.Type == EventTypes.CheckoutSessionAsyncPaymentSucceeded, ct),
        EventTypes.InvoicePaid when e.Data.Object is Invoice invoice => InvoicePaidAsync(invoice, ct),
        EventTypes.CustomerSubscriptionCreated or EventTypes.CustomerSubscriptionUpdated or EventTypes.CustomerSubscriptionDeleted
            when e.Data.Object is Subscription subscription => SubscriptionChangedAsync(subscription, e, ct),
        EventTypes.ChargeRefunded when e.Data.Object is Charge charge => ChargeRefundedAsync(charge, ct),
        EventTypes.ChargeDisputeCreated when e.Data.Object is Dispute dispute => DisputeCreatedAsync(dispute, ct),
        _ => Task.FromResult(false),
    };

    private async Task<bool> CheckoutCompletedAsync(Session session, bool asyncSucceeded, CancellationToken ct)
    {
        var userId = session.ClientReferenceId ?? session.Metadata?.GetValueOrDefault(StripeGateway.UserIdMetadataKey);
        if (userId is null)
        {
            logger.LogWarning("Checkout session {SessionId} names no user; ignored.", session.Id);
            return false;
        }
        if (session.CustomerId is { } customerId) await accounts.LinkCustomerAsync(customerId, userId, ct);

        if (session.Mode == "subscription")
        {
            if (session.SubscriptionId is { } subscriptionId)
                await accounts.UpdateAsync(userId, a => a.SubscriptionId == subscriptionId || !a.HasActiveSubscription
                    ? a with
                    {
                        SubscriptionId = subscriptionId,
                        SubscriptionStatus = a.SubscriptionId == subscriptionId ? a.SubscriptionStatus ?? "active" : "active",
                        TierName = session.Metadata?.GetValueOrDefault("tier") ?? a.TierName,
                        TierCredits = ParseCredits(session.Metadata) ?? a.TierCredits,
                        Sandbox = false,
                    }
                    : a, ct);
            return true;
        }

        if (session.Mode != "payment") return false;
        if (!asyncSucceeded && session.PaymentStatus != "paid") return false; // delayed methods: wait for async_payment_succeeded
        var credits = ParseCredits(session.Metadata);
        if (credits is null)
        {
            logger.LogWarning("Checkout session {SessionId} has no credits metadata; ignored.", session.Id);
            return false;
        }
        // Recorded before the top-up, so a later refund or dispute of this payment finds what it bought.
        var purchase = StripeGateway.PurchaseOf(session);
        if (purchase is not null) await reversals.RecordAsync(purchase, ct);
        await ledger.CreditAsync(userId, CreditBucket.TopUp, credits.Value, CreditTransactionKind.TopUp,
            StripeReferences.Checkout(session.Id), BillingService.StripeBy, ct);
        // A reversal reported before this top-up takes its credits back now.
        if (purchase is not null && await reversals.FindAsync(purchase.PaymentIntentId, ct) is { } recorded)
            await reversals.SettleAsync(recorded, ct);
        return true;
    }

    private async Task<bool> ChargeRefundedAsync(Charge charge, CancellationToken ct)
    {
        var purchase = charge.PaymentIntentId is { Length: > 0 } pi ? await reversals.FindOrRecoverAsync(pi, ct) : null;
        if (purchase is null)
        {
            logger.LogInformation("Refunded charge {ChargeId} paid for no credit pack; nothing taken back.", charge.Id);
            return false;
        }
        await reversals.ReportAsync(purchase.PaymentIntentId, p => charge.AmountRefunded > p.RefundedAmount
            ? p with { RefundedAmount = charge.AmountRefunded, Amount = p.Amount > 0 ? p.Amount : charge.Amount }
            : p, ct);
        return true;
    }

    private async Task<bool> DisputeCreatedAsync(Dispute dispute, CancellationToken ct)
    {
        var paymentIntentId = dispute.PaymentIntentId
            ?? (dispute.ChargeId is { Length: > 0 } chargeId ? await stripe.PaymentIntentOfChargeAsync(chargeId, ct) : null);
        var purchase = paymentIntentId is { Length: > 0 } ? await reversals.FindOrRecoverAsync(paymentIntentId, ct) : null;
        if (purchase is null)
        {
            logger.LogInformation("Disputed charge {ChargeId} paid for no credit pack; nothing taken back.", dispute.ChargeId);
            return false;
        }
        await reversals.ReportAsync(purchase.PaymentIntentId, p => p.Disputes.ContainsKey(dispute.Id)
            ? p
            : p with { Disputes = new Dictionary<string, long>(p.Disputes) { [dispute.Id] = dispute.Amount } }, ct);
        return true;
    }

    private async Task<bool> InvoicePaidAsync(Invoice invoice, CancellationToken ct)
    {
        var details = invoice.Parent?.SubscriptionDetails;
        if (details is null) return false; // a one-time purchase's invoice: the checkout event credits it
        var userId = details.Metadata?.GetValueOrDefault(StripeGateway.UserIdMetadataKey)
            ?? (invoice.CustomerId is { } c ? await accounts.FindUserByCustomerAsync(c, ct) : null);
        if (userId is null)
            throw new InvalidOperationException($"Invoice {invoice.Id} belongs to no known user yet; Stripe will retry.");

        var subscriptionLines = invoice.Lines?.Data?.Where(l => l.Parent?.Type == "subscription_item_details").ToList() ?? [];
        var credits = await CreditsForLinesAsync(subscriptionLines, ct) ?? ParseCredits(details.Metadata);
        if (credits is null or <= 0)
        {
            logger.LogWarning("Invoice {InvoiceId} names no credits for its subscription; nothing granted.", invoice.Id);
            return false;
        }
        var periodStart = subscriptionLines.Select(l => l.Period?.Start).FirstOrDefault(s => s is not null) ?? invoice.PeriodStart;
        var periodStartUnix = new DateTimeOffset(DateTime.SpecifyKind(periodStart, DateTimeKind.Utc)).ToUnixTimeSeconds();

        var account = await accounts.GetAsync(userId, ct);
        if (billing.SubscriptionCredits == SubscriptionCreditMode.Reset && periodStartUnix < account.LastPeriodStart)
        {
            logger.LogInformation("Invoice {InvoiceId} is for an older period than the one granted; no reset.", invoice.Id);
            return false;
        }
        await billing.GrantPeriodAsync(userId, credits.Value, "stripe:invoice:" + invoice.Id, BillingService.StripeBy, ct);
        await accounts.UpdateAsync(userId, a => a with { LastPeriodStart = Math.Max(a.LastPeriodStart, periodStartUnix) }, ct);
        return true;
    }

    private async Task<decimal?> CreditsForLinesAsync(IReadOnlyList<InvoiceLineItem> lines, CancellationToken ct)
    {
        var priceIds = lines.Select(l => l.Pricing?.PriceDetails?.PriceId).Where(id => id is not null).ToList();
        if (priceIds.Count == 0) return null;
        var tiers = await stripe.ListTiersAsync(ct);
        decimal total = 0;
        foreach (var line in lines)
        {
            var tier = tiers.FirstOrDefault(t => t.Id == line.Pricing?.PriceDetails?.PriceId);
            if (tier is null || line.Amount < 0) continue; // proration credits give nothing back
            total += tier.Credits * (line.Quantity ?? 1);
        }
        return total > 0 ? total : null;
    }

    private async Task<bool> SubscriptionChangedAsync(Subscription subscription, Event e, CancellationToken ct)
    {
        var userId = subscription.Metadata?.GetValueOrDefault(StripeGateway.UserIdMetadataKey)
            ?? (subscription.CustomerId is { } c ? await accounts.FindUserByCustomerAsync(c, ct) : null);
        if (userId is null) return false;
        var at = new DateTimeOffset(DateTime.SpecifyKind(e.Created, DateTimeKind.Utc)).ToUnixTimeSeconds();
        var deleted = e.Type == EventTypes.CustomerSubscriptionDeleted;
        await accounts.UpdateAsync(userId, a =>
        {
            // News about another (older) subscription never replaces a live one.
            if (a.SubscriptionId is not null && a.SubscriptionId != subscription.Id && a.HasActiveSubscription
                && (deleted || subscription.Status is not ("active" or "trialing"))) return a;
            if (a.SubscriptionId == subscription.Id && at < a.SubscriptionChangedAt) return a; // an older event arriving late
            if (a.SubscriptionId == subscription.Id && a.SubscriptionStatus == "canceled" && !deleted) return a; // deletion is final
            return a with
            {
                SubscriptionId = subscription.Id,
                SubscriptionStatus = deleted ? "canceled" : subscription.Status,
                SubscriptionChangedAt = at,
                Sandbox = false,
            };
        }, ct);
        return true;
    }

    private static decimal? ParseCredits(Dictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(StripeGateway.CreditsMetadataKey, out var raw)
        && decimal.TryParse(raw, NumberStyles.Number, CultureInfo.InvariantCulture, out var credits) && credits > 0
            ? credits
            : null;
}
