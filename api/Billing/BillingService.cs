using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Credits;

namespace PartnerBot.Api.Billing;

/// <summary>How purchases are completed: through Stripe, locally (sandbox, Development only), or not at all.</summary>
public enum BillingMode { Stripe, Sandbox, Disabled }

/// <summary>The result of asking to subscribe or to buy credits.</summary>
public abstract record PurchaseStart
{
    private PurchaseStart() { }
    /// <summary>Pay on Stripe's page.</summary>
    public sealed record Checkout(string Url, string SessionId) : PurchaseStart;
    /// <summary>Sandbox: the purchase can be completed locally with <see cref="PurchaseId"/>.</summary>
    public sealed record SandboxReady(string PurchaseId, string What) : PurchaseStart;
    /// <summary>Cannot start; <see cref="Reason"/> says why, <see cref="PortalUrl"/> offers the way out where there is one.</summary>
    public sealed record Refused(string Reason, string? PortalUrl = null) : PurchaseStart;
}

/// <summary>Who is buying (from the chat user or the API caller).</summary>
public sealed record Buyer(string UserId, string? Email, string? DisplayName);

/// <summary>
/// Subscriptions and credit purchases. Stripe is the source of truth for payment; the ledger gets credits only from
/// verified webhook events (see <see cref="StripeWebhookProcessor"/>) or, in sandbox mode, from a local completion.
/// </summary>
public sealed class BillingService(
    ICreditLedger ledger,
    BillingAccounts accounts,
    StripeGateway stripe,
    IOptions<StripeOptions> stripeOptions,
    IOptions<BillingOptions> billingOptions,
    IHostEnvironment environment,
    IConfiguration configuration,
    ILogger<BillingService> logger)
{
    public const string SandboxBy = "sandbox";
    public const string StripeBy = "stripe";

    /// <summary>Free local purchases exist only on a developer's machine: Staging and Production without keys sell nothing.</summary>
    public BillingMode Mode => stripeOptions.Value.Configured ? BillingMode.Stripe
        : environment.IsDevelopment() ? BillingMode.Sandbox : BillingMode.Disabled;

    public string DisabledReason =>
        "Purchases are not available: Stripe is not configured on this server (Stripe:SecretKey). Please contact an administrator.";

    public string PublicBaseUrl => (configuration["PublicBaseUrl"] ?? "http://localhost:3978").TrimEnd('/');

    public IReadOnlyList<PackOptions> Packs => billingOptions.Value.EffectivePacks;

    public SubscriptionCreditMode SubscriptionCredits => billingOptions.Value.SubscriptionCredits;

    public async Task<IReadOnlyList<BillingTier>> ListTiersAsync(CancellationToken ct)
    {
        if (Mode == BillingMode.Stripe) return await stripe.ListTiersAsync(ct);
        return billingOptions.Value.EffectiveTiers
            .Select((t, i) => new BillingTier("tier-" + i, t.Name, t.Credits, t.Price, t.Currency, t.Interval))
            .ToList();
    }

    public Task<BillingAccount> GetAccountAsync(string userId, CancellationToken ct) => accounts.GetAsync(userId, ct);

    public async Task<PurchaseStart> StartSubscriptionAsync(Buyer buyer, string tierId, string requestId, CancellationToken ct)
    {
        if (Mode == BillingMode.Disabled) return new PurchaseStart.Refused(DisabledReason);
        var tier = (await ListTiersAsync(ct)).FirstOrDefault(t => t.Id == tierId);
        if (tier is null) return new PurchaseStart.Refused("That subscription tier is not offered any more. Please pick one from the list.");
        var account = await accounts.GetAsync(buyer.UserId, ct);
        if (account.HasActiveSubscription)
        {
            var portal = Mode == BillingMode.Stripe && account.CustomerId is not null
                ? await stripe.CreatePortalSessionAsync(account.CustomerId, PublicBaseUrl + BillingRoutes.ReturnPage, ct)
                : null;
            return new PurchaseStart.Refused(
                $"You already have an active subscription ({account.TierName ?? "current tier"}). Change or cancel it first.", portal);
        }
        if (Mode == BillingMode.Sandbox) return new PurchaseStart.SandboxReady(requestId, $"{tier.Name}: {tier.Credits:0.##} credits per {tier.Interval}");

        var customerId = await EnsureCustomerAsync(buyer, account, ct);
        var (id, url) = await stripe.CreateCheckoutSessionAsync(new CheckoutRequest(buyer.UserId, customerId, "subscription", tier.Id, null,
            new Dictionary<string, string>
            {
                [StripeGateway.UserIdMetadataKey] = buyer.UserId,
                [StripeGateway.CreditsMetadataKey] = tier.Credits.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["tier"] = tier.Name,
            }, SuccessUrl(), CancelUrl()), "partnerbot-subscribe-" + requestId, ct);
        return new PurchaseStart.Checkout(url, id);
    }

    public async Task<PurchaseStart> StartPurchaseAsync(Buyer buyer, int packIndex, string requestId, CancellationToken ct)
    {
        if (Mode == BillingMode.Disabled) return new PurchaseStart.Refused(DisabledReason);
        if (packIndex < 0 || packIndex >= Packs.Count) return new PurchaseStart.Refused("Please choose one of the credit packs offered.");
        var pack = Packs[packIndex];
        if (Mode == BillingMode.Sandbox) return new PurchaseStart.SandboxReady(requestId, $"{pack.Credits:0.##} credits");

        var customerId = await EnsureCustomerAsync(buyer, await accounts.GetAsync(buyer.UserId, ct), ct);
        var (id, url) = await stripe.CreateCheckoutSessionAsync(new CheckoutRequest(buyer.UserId, customerId, "payment", pack.PriceId, pack,
            new Dictionary<string, string>
            {
                [StripeGateway.UserIdMetadataKey] = buyer.UserId,
                [StripeGateway.CreditsMetadataKey] = pack.Credits.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, SuccessUrl(), CancelUrl()), "partnerbot-buy-" + requestId, ct);
        return new PurchaseStart.Checkout(url, id);
    }

    /// <summary>Sandbox only: completes a pack purchase locally, once per <paramref name="purchaseId"/>.</summary>
    public async Task<CreditResult> CompleteSandboxPurchaseAsync(string userId, int packIndex, string purchaseId, CancellationToken ct)
    {
        EnsureSandbox();
        if (packIndex < 0 || packIndex >= Packs.Count) throw new ArgumentException("Unknown credit pack.", nameof(packIndex));
        return await ledger.CreditAsync(userId, CreditBucket.TopUp, Packs[packIndex].Credits, CreditTransactionKind.TopUp,
            CreditReferences.SandboxPrefix + "purchase:" + purchaseId, SandboxBy, ct);
    }

    /// <summary>Sandbox only: starts a subscription to <paramref name="tierId"/> and grants its first period.</summary>
    public async Task<CreditResult> CompleteSandboxSubscriptionAsync(string userId, string tierId, string purchaseId, CancellationToken ct)
    {
        EnsureSandbox();
        var tier = (await ListTiersAsync(ct)).FirstOrDefault(t => t.Id == tierId)
            ?? throw new ArgumentException("Unknown subscription tier.", nameof(tierId));
        var account = await accounts.GetAsync(userId, ct);
        if (account.HasActiveSubscription && account.SubscriptionId != "sandbox:" + purchaseId)
            throw new InvalidOperationException("You already have an active subscription.");
        await accounts.UpdateAsync(userId, a => a with
        {
            SubscriptionId = "sandbox:" + purchaseId,
            SubscriptionStatus = "sandbox",
            TierName = tier.Name,
            TierCredits = tier.Credits,
            Sandbox = true,
        }, ct);
        return await GrantPeriodAsync(userId, tier.Credits, CreditReferences.SandboxPrefix + "subscription:" + purchaseId, SandboxBy, ct);
    }

    /// <summary>Sandbox only: ends the sandbox subscription (the subscription balance stays until spent).</summary>
    public async Task CancelSandboxSubscriptionAsync(string userId, CancellationToken ct)
    {
        EnsureSandbox();
        await accounts.UpdateAsync(userId, a => a.SubscriptionStatus == "sandbox" ? a with { SubscriptionStatus = "canceled" } : a, ct);
    }

    /// <summary>The customer portal (change or cancel the subscription, payment methods, invoices), or null without a customer.</summary>
    public async Task<string?> PortalUrlAsync(string userId, CancellationToken ct)
    {
        if (Mode != BillingMode.Stripe) return null;
        var account = await accounts.GetAsync(userId, ct);
        return account.CustomerId is null ? null : await stripe.CreatePortalSessionAsync(account.CustomerId, PublicBaseUrl + BillingRoutes.ReturnPage, ct);
    }

    public async Task<IReadOnlyList<StripeInvoiceView>> ListInvoicesAsync(string userId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        if (Mode != BillingMode.Stripe) return [];
        var account = await accounts.GetAsync(userId, ct);
        return account.CustomerId is null ? [] : await stripe.ListInvoicesAsync(account.CustomerId, from, to, ct);
    }

    /// <summary>Grants one paid period's credits to the subscription bucket (reset or add per <c>Billing:SubscriptionCredits</c>).</summary>
    public Task<CreditResult> GrantPeriodAsync(string userId, decimal credits, string reference, string by, CancellationToken ct) =>
        SubscriptionCredits == SubscriptionCreditMode.Reset
            ? ledger.SetBucketAsync(userId, CreditBucket.Subscription, credits, CreditTransactionKind.Subscription, reference, by, ct)
            : ledger.CreditAsync(userId, CreditBucket.Subscription, credits, CreditTransactionKind.Subscription, reference, by, ct);

    private async Task<string> EnsureCustomerAsync(Buyer buyer, BillingAccount account, CancellationToken ct)
    {
        if (account.CustomerId is not null) return account.CustomerId;
        var customerId = await stripe.CreateCustomerAsync(buyer.UserId, buyer.Email, buyer.DisplayName, ct);
        await accounts.LinkCustomerAsync(customerId, buyer.UserId, ct);
        logger.LogInformation("Stripe customer {CustomerId} created for user {UserId}.", customerId, buyer.UserId);
        return customerId;
    }

    private string SuccessUrl() => PublicBaseUrl + BillingRoutes.ReturnPage + "?result=success&session_id={CHECKOUT_SESSION_ID}";
    private string CancelUrl() => PublicBaseUrl + BillingRoutes.ReturnPage + "?result=cancel";

    private void EnsureSandbox()
    {
        if (Mode != BillingMode.Sandbox)
            throw new InvalidOperationException("Sandbox purchases are only possible without Stripe keys in Development.");
    }
}
