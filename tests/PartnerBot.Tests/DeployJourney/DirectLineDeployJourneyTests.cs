using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Tests.Deployments;
using PartnerBot.Tests.Infrastructure;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.DeployJourney;

/// <summary>The journey on the embedded default store.</summary>
public sealed class SqliteDirectLineDeployJourneyTests() : DirectLineDeployJourneyTests(StoreKind.Sqlite);

/// <summary>The same journey with <c>Storage:Provider=Cosmos</c>, on the Cosmos DB protocol test server.</summary>
[RequiresNode]
public sealed class CosmosDirectLineDeployJourneyTests() : DirectLineDeployJourneyTests(StoreKind.Cosmos);

/// <summary>
/// The whole deploy journey over Direct Line, against the real host, a Terraform stand-in and the store each subclass
/// names (a fresh one per test).
/// </summary>
public abstract class DirectLineDeployJourneyTests(StoreKind kind) : IAsyncLifetime
{
    private readonly FakeTerraform _terraform = new();
    private readonly LogCapture _logs = new();
    private TestStore _store = null!;
    private BotTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync(kind);
        _host = await StartHostAsync(signupAward: 100);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _store.DisposeAsync();
        _terraform.Dispose();
        // Cosmos DB refuses an ORDER BY without its composite index; the adapter then adds it late (an index
        // transformation on a live container). Every path the journey orders by must be declared up front.
        Assert.DoesNotContain(_logs.AtLeast(LogLevel.Warning), l => l.Contains("had no composite index", StringComparison.Ordinal));
    }

    private Task<BotTestHost> StartHostAsync(int signupAward) => BotTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Deployments:Runner"] = "Local",
        ["Deployments:Local:SearchPath"] = _terraform.SearchPath,
        ["Deployments:Local:Sandbox"] = "none", // the stand-in CLI writes its call log beside itself
        ["Credits:SignupAward"] = signupAward.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }, configure: builder => builder.Logging.AddProvider(_logs), store: _store);

    [StoreFact]
    public async Task The_host_is_ready_and_answers_the_menu()
    {
        Assert.Equal(System.Net.HttpStatusCode.OK, (await _host.Client.GetAsync("readyz")).StatusCode);
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("menu");
        var menu = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Deploy a module"));
        Assert.Contains(DirectLineTestClient.Actions(menu), a => (string?)a["title"] == "My deployments");
    }

    [StoreFact]
    public async Task Deploy_a_module_from_the_catalog_to_success_charging_once()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("deploy");
        var catalog = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Platform modules"));
        var pick = DirectLineTestClient.Actions(catalog).First(a => (string?)a["data"]?["verb"] == "deploy.pick" && (string?)a["data"]?["module"] == "Network");

        await chat.SubmitAsync(pick["data"]!.DeepClone().AsObject());
        var step = await FormDriver.WaitForFormAsync(chat);

        // An invalid project id comes back marked, with what was typed kept.
        var rejected = await FormDriver.SubmitStepAsync(chat, step, new() { ["project_id"] = "Not A Valid Id", ["region"] = "europe-west1" });
        var again = await FormDriver.WaitForFormAsync(chat);
        Assert.Equal(FormDriver.StepIndex(step), FormDriver.StepIndex(again));
        Assert.Contains("Project ID must be", DirectLineTestClient.AllText(again));
        Assert.Equal("Not A Valid Id", InputValue(again, "project_id"));
        Assert.Equal("form.next", rejected);

        var confirm = await FormDriver.FillRemainingStepsAsync(chat, again,
            new() { ["project_id"] = "acme-prod-1", ["region"] = "europe-west1", ["subnet_count"] = "3", ["enable_nat"] = "true" });
        Assert.Contains("10 credits", DirectLineTestClient.AllText(confirm));
        var deploy = DirectLineTestClient.Actions(confirm).Single(a => (string?)a["data"]?["verb"] == "deploy.confirm");

        await chat.SubmitAsync(deploy["data"]!.DeepClone().AsObject());
        var statusCard = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Network:"));
        // The same click again (a double-click) starts nothing new.
        await chat.SubmitAsync(deploy["data"]!.DeepClone().AsObject());
        await chat.WaitForTextAsync("already started");

        var success = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Succeeded"), TimeSpan.FromSeconds(60));
        Assert.Contains("applied", DirectLineTestClient.AllText(success));
        // The status card was updated in place: read from the start, the conversation holds it once, finished.
        var finalCard = await LatestVersionAsync(chat, (string)statusCard["id"]!, a => DirectLineTestClient.AllText(a).Contains("Succeeded in"));
        Assert.Contains("✅ Network: Succeeded in", DirectLineTestClient.AllText(finalCard));
        // Every version the client was sent tells something new.
        var versions = chat.Received.Where(a => (string?)a["id"] == (string?)statusCard["id"]).Select(a => DirectLineTestClient.Card(a)!.ToJsonString()).ToList();
        Assert.Equal(versions.Count, versions.Distinct().Count());

        var user = await _host.Services.GetRequiredService<UserDirectory>().FindByIdentityAsync("directline", chat.UserId);
        var balance = await _host.Services.GetRequiredService<ICreditLedger>().GetBalanceAsync(user!.Id);
        Assert.Equal(90m, balance.Total);
        var list = await _host.Services.GetRequiredService<IDeploymentService>()
            .ListAsync(new DeploymentCaller(user.Id, false), false, null, null);
        var deployment = Assert.Single(list.Items);
        Assert.Equal(DeploymentState.Success, deployment.State);
        Assert.Equal("acme-prod-1", (string?)deployment.Inputs["project_id"]);
        Assert.Single(_terraform.Calls, c => c.StartsWith("apply", StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task A_missing_dependency_blocks_the_deploy_with_an_offer_to_deploy_it_first()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("deploy Database");
        var blocked = await FormDriver.FillRemainingStepsAsync(chat, await FormDriver.WaitForFormAsync(chat), new() { ["project_id"] = "acme-prod-1", ["database_name"] = "orders", ["admin_password"] = "S3cure-Passw0rd!" });
        Assert.Contains("needs other modules first", DirectLineTestClient.AllText(blocked));
        Assert.Contains(DirectLineTestClient.Actions(blocked), a => (string?)a["title"] == "Deploy Network first");
        await AssertNothingStartedAsync(chat);
    }

    [StoreFact]
    public async Task An_insufficient_balance_shows_cost_against_balance_and_a_buy_credits_action()
    {
        await _host.DisposeAsync();
        _host = await StartHostAsync(signupAward: 5);
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("deploy Network");
        var blocked = await FormDriver.FillRemainingStepsAsync(chat, await FormDriver.WaitForFormAsync(chat), new() { ["project_id"] = "acme-prod-1" });
        var text = DirectLineTestClient.AllText(blocked);
        Assert.Contains("Not enough credits", text);
        Assert.Contains("costs 10 credits and your balance is 5 credits", text);
        Assert.Contains(DirectLineTestClient.Actions(blocked), a => (string?)a["title"] == "Buy credits");
        await AssertNothingStartedAsync(chat);
    }

    private async Task AssertNothingStartedAsync(DirectLineTestClient chat)
    {
        var user = await _host.Services.GetRequiredService<UserDirectory>().FindByIdentityAsync("directline", chat.UserId);
        var list = await _host.Services.GetRequiredService<IDeploymentService>().ListAsync(new DeploymentCaller(user!.Id, false), false, null, null);
        Assert.Empty(list.Items);
        Assert.Empty(_terraform.Calls);
    }

    /// <summary>The only version of an activity a client reading from the start gets, once it satisfies <paramref name="done"/>.</summary>
    private async Task<JsonObject> LatestVersionAsync(DirectLineTestClient chat, string id, Func<JsonObject, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var replay = chat.Reconnect(_host.Client);
            await replay.PollAsync();
            var version = Assert.Single(replay.Received, a => (string?)a["id"] == id);
            if (done(version) || DateTime.UtcNow > deadline) return version;
            await Task.Delay(200);
        }
    }

    private static string? InputValue(JsonObject card, string id) => FormDriver.Inputs(card).FirstOrDefault(i => (string?)i["id"] == id)?["value"]?.ToString();
}
