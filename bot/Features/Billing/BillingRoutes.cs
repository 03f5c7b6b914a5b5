using PartnerBot.Api.Billing;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Api.Identity;

namespace PartnerBot.Bot.Features.Billing;

/// <summary>
/// Billing in the chat: balances and the five tabs of the partner guide (section 4). HTTP endpoints (webhook, signed
/// downloads, cost reports): <see cref="PartnerBot.Api.Billing.BillingRoutes"/>.
/// </summary>
public sealed class BillingChatRoutes : IChatFeature
{
    public const string Billing = "billing";
    public const string Tab = "billing.tab";
    public const string Subscribe = "billing.subscribe";
    public const string Portal = "billing.portal";
    public const string Buy = "billing.buy";
    public const string Sandbox = "billing.sandbox";
    public const string SandboxCancel = "billing.sandbox.cancel";
    public const string Transactions = "billing.tx";
    public const string Month = "billing.month";

    public int Order => 30;

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddPartnerBotBilling(configuration);
        services.AddSingleton<Dialog, BillingDialog>();
        services.AddSingleton<BillingCards>();
    }

    public void MapRoutes(ChatRouteBuilder routes) =>
        routes.Dialog<BillingDialog>(BillingDialog.DialogId, Roles.Partner)
            .Command(Billing, d => d.StartAsync, new("billing [tiers|buy|transactions|costs|invoices]", "Your credits, subscription, purchases, costs and statements"),
                ["credits", "balance"], menu: "Billing")
            .Verb(Tab, d => d.TabAsync)
            .Verb(Subscribe, d => d.SubscribeAsync)
            .Verb(Portal, d => d.PortalAsync)
            .Verb(Buy, d => d.BuyAsync)
            .Verb(Sandbox, d => d.CompleteSandboxAsync)
            .Verb(SandboxCancel, d => d.CancelSandboxAsync)
            .Verb(Transactions, d => d.TransactionsAsync)
            .Verb(Month, d => d.MonthAsync);
}
