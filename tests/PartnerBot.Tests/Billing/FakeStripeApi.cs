using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace PartnerBot.Tests.Billing;

/// <summary>
/// Stripe's REST API as WireMock answers it on 127.0.0.1: customers, checkout sessions, prices (two tiers with
/// <c>metadata.credits</c> and one price without), the billing portal and invoices, in the shapes of the 2025 API.
/// </summary>
public sealed class FakeStripeApi : IDisposable
{
    public const string SecretKey = "sk_test_fake_partnerbot";
    public const string WebhookSecret = "whsec_test_partnerbot_secret";
    public const string CustomerId = "cus_TestPartner01";
    public const string SessionId = "cs_test_a1B2c3D4e5";
    public const string CheckoutUrl = "https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4e5";
    public const string PortalUrl = "https://billing.stripe.com/p/session/test_YWNjdF8x";
    public const string StarterPrice = "price_1StarterMonthly";
    public const string TeamPrice = "price_1TeamMonthly";

    private readonly WireMockServer _server = WireMockServer.Start();

    public FakeStripeApi()
    {
        _server.Given(Request.Create().WithPath("/v1/customers").UsingPost())
            .RespondWith(Json(Customer()));
        _server.Given(Request.Create().WithPath("/v1/checkout/sessions").UsingPost())
            .RespondWith(Json(Session()));
        _server.Given(Request.Create().WithPath("/v1/checkout/sessions").UsingGet()).AtPriority(100)
            .RespondWith(Json(List("/v1/checkout/sessions")));
        _server.Given(Request.Create().WithPath("/v1/prices").UsingGet())
            .RespondWith(Json(List("/v1/prices", Price(StarterPrice, "Starter", 1900, "200"), Price(TeamPrice, "Team", 7900, "1000"),
                Price("price_1NoCredits", "Support add-on", 500, null))));
        _server.Given(Request.Create().WithPath("/v1/billing_portal/sessions").UsingPost())
            .RespondWith(Json(new JsonObject
            {
                ["id"] = "bps_1TestPortal", ["object"] = "billing_portal.session", ["customer"] = CustomerId, ["livemode"] = false,
                ["return_url"] = "http://localhost:3978/billing/return", ["url"] = PortalUrl, ["created"] = 1763900000,
            }));
        _server.Given(Request.Create().WithPath("/v1/invoices").UsingGet())
            .RespondWith(Json(List("/v1/invoices", Invoice("in_1Nov", "INV-0001", DateTimeOffset.UtcNow))));
    }

    public string BaseUrl => _server.Url!;

    public Dictionary<string, string?> Settings(string? subscriptionCredits = null) => new()
    {
        ["Stripe:SecretKey"] = SecretKey,
        ["Stripe:WebhookSecret"] = WebhookSecret,
        ["Stripe:ApiBase"] = BaseUrl,
        ["Billing:SubscriptionCredits"] = subscriptionCredits,
    };

    /// <summary>The form fields of every request to <paramref name="path"/>, in order.</summary>
    public IReadOnlyList<Dictionary<string, string>> FormsSentTo(string path) => _server.LogEntries
        .Where(e => e.RequestMessage.Path == path && e.RequestMessage.Method == "POST")
        .Select(e => QueryHelpers.ParseQuery(e.RequestMessage.Body ?? "").ToDictionary(kv => kv.Key, kv => kv.Value.ToString()))
        .ToList();

    public IReadOnlyList<string> HeaderSentTo(string path, string header) => _server.LogEntries
        .Where(e => e.RequestMessage.Path == path)
        .Select(e => e.RequestMessage.Headers is { } h && h.TryGetValue(header, out var v) ? v.FirstOrDefault() ?? "" : "")
        .ToList();

    /// <summary>The Stripe-Signature header exactly as Stripe computes it: <c>t=…,v1=hex(HMAC-SHA256(secret, t + "." + body))</c>.</summary>
    public static string Sign(string body, DateTimeOffset at, string secret = WebhookSecret)
    {
        var t = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + body));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    public static string Event(string id, string type, JsonObject dataObject, DateTimeOffset created) => new JsonObject
    {
        ["id"] = id,
        ["object"] = "event",
        ["api_version"] = "2025-03-31.basil",
        ["created"] = created.ToUnixTimeSeconds(),
        ["data"] = new JsonObject { ["object"] = dataObject },
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
        ["type"] = type,
    }.ToJsonString();

    public static JsonObject CompletedSession(string sessionId, string userId, string mode, string paymentStatus, string credits,
        string? subscriptionId = null, string? paymentIntent = null) => new()
    {
        ["id"] = sessionId,
        ["object"] = "checkout.session",
        ["amount_subtotal"] = 4500,
        ["amount_total"] = 4500,
        ["cancel_url"] = "http://localhost:3978/billing/return?result=cancel",
        ["client_reference_id"] = userId,
        ["created"] = 1763900000,
        ["currency"] = "usd",
        ["customer"] = CustomerId,
        ["expires_at"] = 1763986400,
        ["livemode"] = false,
        ["metadata"] = new JsonObject { ["user_id"] = userId, ["credits"] = credits },
        ["mode"] = mode,
        ["payment_intent"] = paymentIntent,
        ["payment_status"] = paymentStatus,
        ["status"] = "complete",
        ["subscription"] = subscriptionId,
        ["success_url"] = "http://localhost:3978/billing/return?result=success&session_id={CHECKOUT_SESSION_ID}",
        ["url"] = null,
    };

    public static JsonObject PaidInvoice(string invoiceId, string userId, string subscriptionId, string priceId, DateTimeOffset periodStart,
        long amount = 7900) => new()
    {
        ["id"] = invoiceId,
        ["object"] = "invoice",
        ["amount_due"] = amount,
        ["amount_paid"] = amount,
        ["billing_reason"] = "subscription_cycle",
        ["created"] = periodStart.ToUnixTimeSeconds(),
        ["currency"] = "usd",
        ["customer"] = CustomerId,
        ["hosted_invoice_url"] = $"https://invoice.stripe.com/i/acct_1/test_{invoiceId}",
        ["invoice_pdf"] = $"https://pay.stripe.com/invoice/acct_1/test_{invoiceId}/pdf",
        ["lines"] = new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject
            {
                ["id"] = "il_" + invoiceId,
                ["object"] = "line_item",
                ["amount"] = amount,
                ["currency"] = "usd",
                ["description"] = "1 × Team (at $79.00 / month)",
                ["invoice"] = invoiceId,
                ["parent"] = new JsonObject
                {
                    ["type"] = "subscription_item_details",
                    ["subscription_item_details"] = new JsonObject { ["subscription"] = subscriptionId, ["subscription_item"] = "si_1", ["proration"] = false },
                },
                ["period"] = new JsonObject { ["start"] = periodStart.ToUnixTimeSeconds(), ["end"] = periodStart.AddMonths(1).ToUnixTimeSeconds() },
                ["pricing"] = new JsonObject
                {
                    ["type"] = "price_details",
                    ["price_details"] = new JsonObject { ["price"] = priceId, ["product"] = "prod_Team" },
                    ["unit_amount_decimal"] = amount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
                ["quantity"] = 1,
            }),
            ["has_more"] = false,
            ["url"] = $"/v1/invoices/{invoiceId}/lines",
        },
        ["livemode"] = false,
        ["number"] = "INV-" + invoiceId,
        ["parent"] = new JsonObject
        {
            ["type"] = "subscription_details",
            ["quote_details"] = null,
            ["subscription_details"] = new JsonObject { ["metadata"] = new JsonObject { ["user_id"] = userId }, ["subscription"] = subscriptionId },
        },
        ["period_start"] = periodStart.AddMonths(-1).ToUnixTimeSeconds(),
        ["period_end"] = periodStart.ToUnixTimeSeconds(),
        ["status"] = "paid",
    };

    /// <summary><c>GET /v1/checkout/sessions?payment_intent=…</c> answers <paramref name="session"/> (a session Stripe knows from before).</summary>
    public void KnowsSession(string paymentIntent, JsonObject session) =>
        _server.Given(Request.Create().WithPath("/v1/checkout/sessions").WithParam("payment_intent", paymentIntent).UsingGet()).AtPriority(1)
            .RespondWith(Json(List("/v1/checkout/sessions", (JsonObject)session.DeepClone())));

    /// <summary>A card charge of <paramref name="amount"/> (smallest unit) paying <paramref name="paymentIntent"/>, <paramref name="refunded"/> of it refunded.</summary>
    public static JsonObject Charge(string chargeId, string paymentIntent, long amount, long refunded) => new()
    {
        ["id"] = chargeId,
        ["object"] = "charge",
        ["amount"] = amount,
        ["amount_captured"] = amount,
        ["amount_refunded"] = refunded,
        ["balance_transaction"] = "txn_" + chargeId[3..],
        ["billing_details"] = new JsonObject { ["email"] = "partner@example.com", ["name"] = "Test User" },
        ["captured"] = true,
        ["created"] = 1763900000,
        ["currency"] = "usd",
        ["customer"] = CustomerId,
        ["disputed"] = false,
        ["livemode"] = false,
        ["metadata"] = new JsonObject(),
        ["paid"] = true,
        ["payment_intent"] = paymentIntent,
        ["payment_method"] = "pm_1CardVisa",
        ["payment_method_details"] = new JsonObject { ["type"] = "card", ["card"] = new JsonObject { ["brand"] = "visa", ["last4"] = "4242" } },
        ["refunded"] = refunded >= amount,
        ["refunds"] = new JsonObject
        {
            ["object"] = "list",
            ["data"] = refunded > 0
                ? new JsonArray(new JsonObject
                {
                    ["id"] = "re_" + chargeId[3..] + refunded, ["object"] = "refund", ["amount"] = refunded, ["charge"] = chargeId,
                    ["currency"] = "usd", ["payment_intent"] = paymentIntent, ["reason"] = "requested_by_customer", ["status"] = "succeeded",
                    ["created"] = 1763900100,
                })
                : new JsonArray(),
            ["has_more"] = false,
            ["url"] = $"/v1/charges/{chargeId}/refunds",
        },
        ["status"] = "succeeded",
    };

    /// <summary>A dispute (chargeback) of <paramref name="amount"/> on a charge, as <c>charge.dispute.created</c> carries it.</summary>
    public static JsonObject Dispute(string disputeId, string chargeId, string paymentIntent, long amount) => new()
    {
        ["id"] = disputeId,
        ["object"] = "dispute",
        ["amount"] = amount,
        ["balance_transactions"] = new JsonArray(),
        ["charge"] = chargeId,
        ["created"] = 1763900200,
        ["currency"] = "usd",
        ["evidence_details"] = new JsonObject { ["due_by"] = 1764700000, ["has_evidence"] = false, ["past_due"] = false, ["submission_count"] = 0 },
        ["is_charge_refundable"] = false,
        ["livemode"] = false,
        ["metadata"] = new JsonObject(),
        ["payment_intent"] = paymentIntent,
        ["reason"] = "fraudulent",
        ["status"] = "needs_response",
    };

    private static JsonObject Customer() => new()
    {
        ["id"] = CustomerId, ["object"] = "customer", ["created"] = 1763900000, ["email"] = null, ["livemode"] = false,
        ["metadata"] = new JsonObject(), ["name"] = "Test User",
    };

    private static JsonObject Session() => new()
    {
        ["id"] = SessionId, ["object"] = "checkout.session", ["client_reference_id"] = null, ["created"] = 1763900000,
        ["customer"] = CustomerId, ["expires_at"] = 1763986400, ["livemode"] = false, ["metadata"] = new JsonObject(),
        ["mode"] = "payment", ["payment_status"] = "unpaid", ["status"] = "open", ["url"] = CheckoutUrl,
    };

    private static JsonObject Price(string id, string name, long unitAmount, string? credits) => new()
    {
        ["id"] = id,
        ["object"] = "price",
        ["active"] = true,
        ["billing_scheme"] = "per_unit",
        ["created"] = 1763000000,
        ["currency"] = "usd",
        ["livemode"] = false,
        ["metadata"] = credits is null ? new JsonObject() : new JsonObject { ["credits"] = credits },
        ["nickname"] = null,
        ["product"] = new JsonObject
        {
            ["id"] = "prod_" + name.Replace(" ", "", StringComparison.Ordinal), ["object"] = "product", ["active"] = true, ["name"] = name,
            ["metadata"] = new JsonObject(),
        },
        ["recurring"] = new JsonObject { ["interval"] = "month", ["interval_count"] = 1, ["usage_type"] = "licensed" },
        ["type"] = "recurring",
        ["unit_amount"] = unitAmount,
        ["unit_amount_decimal"] = unitAmount.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static JsonObject Invoice(string id, string number, DateTimeOffset created) => new()
    {
        ["id"] = id, ["object"] = "invoice", ["amount_paid"] = 7900, ["created"] = created.ToUnixTimeSeconds(), ["currency"] = "usd",
        ["customer"] = CustomerId, ["hosted_invoice_url"] = "https://invoice.stripe.com/i/acct_1/test_" + id,
        ["invoice_pdf"] = "https://pay.stripe.com/invoice/acct_1/test_" + id + "/pdf", ["livemode"] = false, ["number"] = number,
        ["status"] = "paid",
    };

    private static JsonObject List(string url, params JsonObject[] items) => new()
    {
        ["object"] = "list", ["data"] = new JsonArray(items), ["has_more"] = false, ["url"] = url,
    };

    private static IResponseBuilder Json(JsonObject body) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body.ToJsonString());

    public void Dispose() => _server.Stop();
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
}
