using Microsoft.Extensions.Options;
using Stripe;
using Stripe.Checkout;

namespace PartnerBot.Api.Billing;

/// <summary>A subscription tier: a recurring price whose metadata names the credits per period.</summary>
public sealed record BillingTier(string Id, string Name, decimal Credits, decimal Price, string Currency, string Interval);

/// <summary>One Stripe invoice as the statement shows it.</summary>
public sealed record StripeInvoiceView(string Id, string? Number, string? Status, decimal AmountPaid, string Currency,
    DateTimeOffset Created, string? HostedInvoiceUrl, string? InvoicePdf);

public sealed record CheckoutRequest(string UserId, string CustomerId, string Mode, string? PriceId, PackOptions? Pack,
    IReadOnlyDictionary<string, string> Metadata, string SuccessUrl, string CancelUrl);

/// <summary>The Stripe API calls billing needs, through Stripe.net against <c>Stripe:ApiBase</c>.</summary>
public sealed class StripeGateway(IOptions<StripeOptions> options, IHttpClientFactory httpClients)
{
    public const string HttpClientName = "stripe";
    public const string CreditsMetadataKey = "credits";
    public const string UserIdMetadataKey = "user_id";

    private StripeClient Client()
    {
        var o = options.Value;
        return new StripeClient(apiKey: o.SecretKey, httpClient: new SystemNetHttpClient(httpClients.CreateClient(HttpClientName)),
            apiBase: o.ApiBase.TrimEnd('/'));
    }

    public async Task<IReadOnlyList<BillingTier>> ListTiersAsync(CancellationToken ct)
    {
        var prices = await new PriceService(Client()).ListAsync(new PriceListOptions
        {
            Active = true,
            Type = "recurring",
            Limit = 100,
            Expand = ["data.product"],
        }, cancellationToken: ct);
        var tiers = new List<BillingTier>();
        foreach (var price in prices.Data)
        {
            var credits = CreditsOf(price);
            if (credits is null) continue;
            var name = price.Product?.Name ?? price.Nickname ?? price.Id;
            tiers.Add(new BillingTier(price.Id, name, credits.Value, (price.UnitAmount ?? 0) / 100m, price.Currency ?? "usd",
                price.Recurring?.Interval ?? "month"));
        }
        return tiers.OrderBy(t => t.Credits).ToList();
    }

    private static decimal? CreditsOf(Price price)
    {
        var raw = price.Metadata?.GetValueOrDefault(CreditsMetadataKey) ?? price.Product?.Metadata?.GetValueOrDefault(CreditsMetadataKey);
        return decimal.TryParse(raw, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var c) && c > 0
            ? c
            : null;
    }

    /// <summary>Creates the user's customer once (Stripe's idempotency key is derived from the user id).</summary>
    public async Task<string> CreateCustomerAsync(string userId, string? email, string? name, CancellationToken ct)
    {
        var customer = await new CustomerService(Client()).CreateAsync(new CustomerCreateOptions
        {
            Email = email,
            Name = name,
            Metadata = new Dictionary<string, string> { [UserIdMetadataKey] = userId },
        }, new RequestOptions { IdempotencyKey = "partnerbot-customer-" + userId }, ct);
        return customer.Id;
    }

    public async Task<(string Id, string Url)> CreateCheckoutSessionAsync(CheckoutRequest request, string idempotencyKey, CancellationToken ct)
    {
        var metadata = new Dictionary<string, string>(request.Metadata);
        var lineItem = request.PriceId is not null
            ? new SessionLineItemOptions { Price = request.PriceId, Quantity = 1 }
            : new SessionLineItemOptions
            {
                Quantity = 1,
                PriceData = new SessionLineItemPriceDataOptions
                {
                    Currency = request.Pack!.Currency,
                    UnitAmount = (long)Math.Round(request.Pack.Price * 100m),
                    ProductData = new SessionLineItemPriceDataProductDataOptions
                    {
                        Name = $"{request.Pack.Credits:0.##} PartnerBot credits",
                    },
                },
            };
        var create = new SessionCreateOptions
        {
            Mode = request.Mode,
            Customer = request.CustomerId,
            ClientReferenceId = request.UserId,
            LineItems = [lineItem],
            SuccessUrl = request.SuccessUrl,
            CancelUrl = request.CancelUrl,
            Metadata = metadata,
        };
        if (request.Mode == "subscription")
            create.SubscriptionData = new SessionSubscriptionDataOptions { Metadata = new Dictionary<string, string>(metadata) };
        else
            create.InvoiceCreation = new SessionInvoiceCreationOptions { Enabled = true };
        var session = await new SessionService(Client()).CreateAsync(create, new RequestOptions { IdempotencyKey = idempotencyKey }, ct);
        return (session.Id, session.Url);
    }

    /// <summary>The credit pack a paid payment-mode checkout session with <paramref name="paymentIntentId"/> bought, or null.</summary>
    public async Task<StripePurchase?> FindPaymentSessionAsync(string paymentIntentId, CancellationToken ct)
    {
        var sessions = await new SessionService(Client()).ListAsync(new SessionListOptions { PaymentIntent = paymentIntentId, Limit = 1 },
            cancellationToken: ct);
        return sessions.Data.FirstOrDefault(s => s.Mode == "payment") is { } session ? PurchaseOf(session) : null;
    }

    /// <summary>The purchase a paid payment-mode session stands for; null when it names no user, credits or payment intent.</summary>
    public static StripePurchase? PurchaseOf(Session session)
    {
        var userId = session.ClientReferenceId ?? session.Metadata?.GetValueOrDefault(UserIdMetadataKey);
        var credits = CreditsOf(session.Metadata);
        if (userId is null || credits is null || session.PaymentIntentId is not { Length: > 0 } paymentIntentId) return null;
        return new StripePurchase
        {
            PaymentIntentId = paymentIntentId,
            UserId = userId,
            SessionId = session.Id,
            Credits = credits.Value,
            Amount = session.AmountTotal ?? 0,
            Currency = session.Currency ?? "usd",
        };
    }

    /// <summary>The payment intent of a charge (a dispute of an older charge may not name it).</summary>
    public async Task<string?> PaymentIntentOfChargeAsync(string chargeId, CancellationToken ct) =>
        (await new ChargeService(Client()).GetAsync(chargeId, cancellationToken: ct)).PaymentIntentId;

    public static decimal? CreditsOf(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(CreditsMetadataKey, out var raw)
        && decimal.TryParse(raw, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var credits)
        && credits > 0
            ? credits
            : null;

    public async Task<string> CreatePortalSessionAsync(string customerId, string returnUrl, CancellationToken ct)
    {
        var session = await new Stripe.BillingPortal.SessionService(Client()).CreateAsync(
            new Stripe.BillingPortal.SessionCreateOptions { Customer = customerId, ReturnUrl = returnUrl }, cancellationToken: ct);
        return session.Url;
    }

    public async Task<IReadOnlyList<StripeInvoiceView>> ListInvoicesAsync(string customerId, DateTimeOffset from, DateTimeOffset to,
        CancellationToken ct)
    {
        var invoices = await new InvoiceService(Client()).ListAsync(new InvoiceListOptions
        {
            Customer = customerId,
            Created = new DateRangeOptions { GreaterThanOrEqual = from.UtcDateTime, LessThan = to.UtcDateTime },
            Limit = 100,
        }, cancellationToken: ct);
        return invoices.Data
            .Select(i => new StripeInvoiceView(i.Id, i.Number, i.Status, i.AmountPaid / 100m, i.Currency ?? "usd",
                new DateTimeOffset(DateTime.SpecifyKind(i.Created, DateTimeKind.Utc)), i.HostedInvoiceUrl, i.InvoicePdf))
            .Where(i => i.Created >= from && i.Created < to)
            .OrderBy(i => i.Created)
            .ToList();
    }
}
