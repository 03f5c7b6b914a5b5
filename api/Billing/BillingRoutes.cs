namespace PartnerBot.Api.Billing;

/// <summary>
/// Every HTTP route of billing, in one table.
///
/// | Method | Route                           | Authentication                  | What                                         |
/// |--------|---------------------------------|---------------------------------|----------------------------------------------|
/// | POST   | /api/stripe/webhook             | Stripe-Signature (no API key)   | Stripe events                                |
/// | GET    | /api/billing/exports/{token}    | the signed, short-lived token   | CSV of transactions, statement PDF, cost PNG |
/// | GET    | /billing/return                 | none (static text)              | where Stripe Checkout and the portal return  |
/// | GET    | /api/billing                    | API key                         | mode, subscription, tiers, packs             |
/// | POST   | /api/costs                      | API key, admin                  | an ongoing cost report for a deployment      |
/// </summary>
public static class BillingRoutes
{
    public const string StripeWebhook = "/api/stripe/webhook";
    public const string Export = "/api/billing/exports/{token}";
    public const string ExportPrefix = "/api/billing/exports/";
    public const string ReturnPage = "/billing/return";
    public const string Overview = "/api/billing";
    public const string Costs = "/api/costs";

    // Signed link purposes.
    public const string TransactionsCsv = "transactions-csv";
    public const string StatementPdf = "statement-pdf";
    public const string CostChartPng = "costs-png";
}
