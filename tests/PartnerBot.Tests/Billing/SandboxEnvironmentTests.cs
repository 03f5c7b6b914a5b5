using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Billing;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Identity;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Billing;

/// <summary>Free sandbox purchases exist on a developer's machine only: without Stripe keys, Staging sells nothing.</summary>
public sealed class SandboxEnvironmentTests
{
    [Theory]
    [InlineData("Development", "Sandbox")]
    [InlineData("Staging", "Disabled")]
    public async Task Without_stripe_keys_only_development_offers_the_sandbox(string environment, string expectedMode)
    {
        await using var host = await BotTestHost.StartAsync(new Dictionary<string, string?> { ["PublicBaseUrl"] = "https://bot.example.com" },
            environment: environment);
        const string userId = "u-sandbox-env";
        var key = await host.Services.GetRequiredService<ApiKeyStore>().CreateAsync(userId, false, "test", null);

        using var request = new HttpRequestMessage(HttpMethod.Get, "api/billing");
        request.Headers.Add("X-Api-Key", key.Key);
        using var response = await host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var overview = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(expectedMode, (string?)overview["mode"]);

        var billing = host.Services.GetRequiredService<BillingService>();
        var ledger = host.Services.GetRequiredService<ICreditLedger>();
        var before = await ledger.GetBalanceAsync(userId);
        if (expectedMode == "Sandbox")
        {
            Assert.IsType<CreditResult.Credited>(await billing.CompleteSandboxPurchaseAsync(userId, 0, "p-env", CancellationToken.None));
            Assert.Equal(before.TopUp + 100, (await ledger.GetBalanceAsync(userId)).TopUp);
        }
        else
        {
            var start = await billing.StartPurchaseAsync(new Buyer(userId, null, null), 0, "p-env", CancellationToken.None);
            Assert.Contains("Stripe is not configured", Assert.IsType<PurchaseStart.Refused>(start).Reason);
            await Assert.ThrowsAsync<InvalidOperationException>(() => billing.CompleteSandboxPurchaseAsync(userId, 0, "p-env", CancellationToken.None));
            await Assert.ThrowsAsync<InvalidOperationException>(() => billing.CompleteSandboxSubscriptionAsync(userId, "tier-0", "s-env", CancellationToken.None));
            Assert.Equal(before, await ledger.GetBalanceAsync(userId));
        }
    }
}
