using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Bot.Channels.DirectLine;
using PartnerBot.Cards.Model;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Support;

/// <summary>"Contact support" on a deployment's card opens the support form with that deployment filled in.</summary>
public sealed class ContactSupportFromDeploymentTests
{
    [Fact]
    public async Task The_support_form_opened_from_a_deployment_names_that_deployment()
    {
        await using var host = await BotTestHost.StartAsync(new Dictionary<string, string?> { ["Deployments:RequirePlanApproval"] = "true" });
        var chat = await DirectLineTestClient.StartAsync(host.Client);
        await chat.SendTextAsync("menu");
        await chat.WaitForCardAsync();
        var user = (await host.Services.GetRequiredService<UserDirectory>().FindByIdentityAsync(DirectLineChannel.ChannelId, chat.UserId))!;
        var started = await host.Services.GetRequiredService<IDeploymentService>().StartAsync(
            new StartDeploymentRequest(user.Id, new CatalogViewer(user.Id, user.Email, false), "Network",
                new JsonObject { ["project_id"] = "acme-support-1" }), "support-from-card");
        var id = Assert.IsType<StartDeploymentResult.Started>(started).Deployment.Id;

        await chat.SubmitAsync(new JsonObject { ["verb"] = CardVerbs.Support, ["deploymentId"] = id });
        var form = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Contact support"));

        Assert.Contains(FormDriver.Inputs(form), i => (string?)i["value"] == id);
    }
}
