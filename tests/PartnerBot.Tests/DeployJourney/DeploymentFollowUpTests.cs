using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Tests.Deployments;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.DeployJourney;

/// <summary>After a deployment: my deployments, details, update (only updatesafe inputs), delete.</summary>
public sealed class DeploymentFollowUpTests : IAsyncLifetime
{
    private readonly FakeTerraform _terraform = new();
    private BotTestHost _host = null!;

    public async Task InitializeAsync() => _host = await BotTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Deployments:Local:SearchPath"] = _terraform.SearchPath,
        ["Deployments:Local:Sandbox"] = "none", // the stand-in CLI writes its call log beside itself
        // Plain partners: the local default makes every Web Chat user an admin, who may see everything.
        ["LocalChat:Roles"] = "user,partner",
    });

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _terraform.Dispose();
    }

    [Fact]
    public async Task A_deployment_is_listed_updated_with_updatesafe_inputs_only_and_deleted()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("deploy Network");
        var confirm = await FormDriver.FillRemainingStepsAsync(chat, await FormDriver.WaitForFormAsync(chat),
            new Dictionary<string, string> { ["project_id"] = "acme-prod-1", ["subnet_count"] = "2" });
        await chat.SubmitAsync(DirectLineTestClient.Actions(confirm).Single(a => (string?)a["data"]?["verb"] == "deploy.confirm")["data"]!.DeepClone().AsObject());
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Succeeded"), TimeSpan.FromSeconds(60));

        await chat.SendTextAsync("deployments");
        var list = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("My deployments"));
        var details = DirectLineTestClient.Actions(list).First(a => (string?)a["title"] == "Details");
        await chat.SubmitAsync(details["data"]!.DeepClone().AsObject());
        var card = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Inputs"));
        Assert.Contains("acme-prod-1", DirectLineTestClient.AllText(card));

        var update = DirectLineTestClient.Actions(card).Single(a => (string?)a["title"] == "Update");
        await chat.SubmitAsync(update["data"]!.DeepClone().AsObject());
        var form = await FormDriver.WaitForFormAsync(chat);
        // Only updatesafe inputs are editable; the project id is shown, not offered as an input.
        var editable = new List<string>();
        var current = form;
        var done = await FillUpdateAsync(chat, current, editable);
        Assert.Contains("subnet_count", editable);
        Assert.DoesNotContain("project_id", editable);
        Assert.Contains("Updating", DirectLineTestClient.AllText(done));

        var user = await _host.Services.GetRequiredService<UserDirectory>().FindByIdentityAsync("directline", chat.UserId);
        var service = _host.Services.GetRequiredService<IDeploymentService>();
        var caller = new DeploymentCaller(user!.Id, false);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        DeploymentView deployment;
        do
        {
            deployment = (await service.ListAsync(caller, false, null, null)).Items.Single();
            await Task.Delay(100);
        } while ((deployment.State != DeploymentState.Success || (int?)deployment.Inputs["subnet_count"] != 5) && DateTime.UtcNow < deadline);
        Assert.Equal(5, (int?)deployment.Inputs["subnet_count"]);
        Assert.Equal("acme-prod-1", (string?)deployment.Inputs["project_id"]);
        Assert.Equal(2, _terraform.Calls.Count(c => c.StartsWith("apply", StringComparison.Ordinal)));

        await chat.SubmitAsync(new JsonObject { ["verb"] = "deployments.delete", ["deploymentId"] = deployment.Id });
        await chat.WaitForTextAsync("Deleting");
        deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await service.GetAsync(caller, deployment.Id))!.State != DeploymentState.Deleted && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(DeploymentState.Deleted, (await service.GetAsync(caller, deployment.Id))!.State);
        Assert.Contains(_terraform.Calls, c => c.StartsWith("destroy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Another_partners_deployment_cannot_be_reached_with_a_tampered_card()
    {
        var alice = await DirectLineTestClient.StartAsync(_host.Client);
        await alice.SendTextAsync("deploy Network");
        var confirm = await FormDriver.FillRemainingStepsAsync(alice, await FormDriver.WaitForFormAsync(alice),
            new Dictionary<string, string> { ["project_id"] = "alice-prod-1" });
        await alice.SubmitAsync(DirectLineTestClient.Actions(confirm).Single(a => (string?)a["data"]?["verb"] == "deploy.confirm")["data"]!.DeepClone().AsObject());
        var status = await alice.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Network:"));
        var deploymentId = (string)DirectLineTestClient.Actions(status).First(a => a["data"]?["deploymentId"] is not null)["data"]!["deploymentId"]!;

        var mallory = await DirectLineTestClient.StartAsync(_host.Client);
        await mallory.SubmitAsync(new JsonObject { ["verb"] = "deployments.show", ["deploymentId"] = deploymentId });
        await mallory.WaitForTextAsync("can't find that deployment");
        await mallory.SubmitAsync(new JsonObject { ["verb"] = "deployments.delete", ["deploymentId"] = deploymentId });
        await mallory.WaitForTextAsync("can't find that deployment");
        Assert.DoesNotContain(mallory.Received, a => DirectLineTestClient.AllText(a).Contains("alice-prod-1"));
    }

    [Fact]
    public async Task A_secret_form_input_reaches_the_deployment_but_never_the_stored_transcript()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("deploy Database");
        const string password = "Sup3r-Secret-Passw0rd!";
        var blocked = await FormDriver.FillRemainingStepsAsync(chat, await FormDriver.WaitForFormAsync(chat),
            new Dictionary<string, string> { ["project_id"] = "acme-prod-1", ["database_name"] = "orders", ["admin_password"] = password });
        Assert.Contains("needs other modules first", DirectLineTestClient.AllText(blocked));

        // Everything the conversation stored (and replays to the page) is free of the password.
        var replay = chat.Reconnect(_host.Client);
        await replay.PollAsync();
        Assert.NotEmpty(replay.Received);
        Assert.DoesNotContain(replay.Received, a => a.ToJsonString().Contains(password, StringComparison.Ordinal));
        Assert.Contains(replay.Received, a => a.ToJsonString().Contains("(secret)", StringComparison.Ordinal));
    }

    private static async Task<JsonObject> FillUpdateAsync(DirectLineTestClient chat, JsonObject form, List<string> editable)
    {
        for (var guard = 0; guard < 20; guard++)
        {
            editable.AddRange(FormDriver.Inputs(form).Select(i => (string)i["id"]!));
            await FormDriver.SubmitStepAsync(chat, form, new Dictionary<string, string> { ["subnet_count"] = "5" });
            var next = await chat.WaitForBotAsync(_ => true);
            if (DirectLineTestClient.Card(next) is not { } card || !FormDriver.IsFormCard(card)) return next;
            form = card;
        }
        throw new InvalidOperationException("The update form never ended.");
    }
}
