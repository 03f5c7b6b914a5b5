using PartnerBot.Api.Billing;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Billing;

/// <summary>
/// Billing in the chat: balances and the five tabs of the partner guide (section 4).
///
/// | Chat command            | Card verbs (data)                                                   | Dialog  |
/// |-------------------------|---------------------------------------------------------------------|---------|
/// | billing [tab]           | billing (tab), billing.tab (tab: tiers, buy, transactions, costs,   | billing |
/// | (aliases: credits,      |   invoices)                                                         |         |
/// |  balance)               | billing.subscribe (tierId, requestId), billing.portal               |         |
/// |                         | billing.buy (pack, requestId)                                       |         |
/// |                         | billing.sandbox (kind: pack|tier, pack|tierId, purchaseId),         |         |
/// |                         |   billing.sandbox.cancel                                            |         |
/// |                         | billing.tx (kind, clear, continuation; inputs range, deployment)    |         |
/// |                         | billing.month (year, month)                                         |         |
/// HTTP endpoints (webhook, signed downloads, cost reports): <see cref="PartnerBot.Api.Billing.BillingRoutes"/>.
/// </summary>
public static class BillingChatRoutes
{
    public const string Tab = "billing.tab";
    public const string Subscribe = "billing.subscribe";
    public const string Portal = "billing.portal";
    public const string Buy = "billing.buy";
    public const string Sandbox = "billing.sandbox";
    public const string SandboxCancel = "billing.sandbox.cancel";
    public const string Transactions = "billing.tx";
    public const string Month = "billing.month";

    public static IServiceCollection AddBillingChat(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPartnerBotBilling(configuration);
        services.AddSingleton(new ChatRoute(CardVerbs.Billing, "Billing", BillingDialog.DialogId, ["credits", "balance"], RequiredRole: "partner"));
        services.AddSingleton<Dialog, BillingDialog>();
        services.AddSingleton<BillingCards>();
        return services;
    }
}
