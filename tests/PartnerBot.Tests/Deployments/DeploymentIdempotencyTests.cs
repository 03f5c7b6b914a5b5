using System.Text.Json.Nodes;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Deployments;

public sealed class SqliteDeploymentIdempotencyTests() : DeploymentIdempotencyTests(StoreKind.Sqlite);

[RequiresNode]
public sealed class CosmosDeploymentIdempotencyTests() : DeploymentIdempotencyTests(StoreKind.Cosmos);

/// <summary>
/// Starting a deployment under an idempotency key (a double click, a redelivered message) starts and charges once,
/// on each store adapter: the guarantee rests on the store's conditional writes.
/// </summary>
public abstract class DeploymentIdempotencyTests(StoreKind kind) : IAsyncLifetime
{
    private DeploymentHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await DeploymentHarness.StartAsync(storeKind: kind);
    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private IDeploymentService Service => _harness.Get<IDeploymentService>();
    private ICreditLedger Ledger => _harness.Get<ICreditLedger>();

    private static StartDeploymentRequest Tiny(string partner) =>
        new(partner, DeploymentHarness.Viewer(partner), "Tiny", new JsonObject { ["label"] = "hello" },
            Conversation: new JsonObject { ["conversationId"] = "conv-1" });

    [StoreFact]
    public async Task The_same_idempotency_key_twice_starts_one_deployment_and_charges_once()
    {
        var first = await Service.StartAsync(Tiny("p-twice"), "double-click");
        var second = await Service.StartAsync(Tiny("p-twice"), "double-click");

        var started = Assert.IsType<StartDeploymentResult.Started>(first);
        var duplicate = Assert.IsType<StartDeploymentResult.Duplicate>(second);
        Assert.Equal(started.Deployment.Id, duplicate.Existing.Id);
        Assert.Equal(9, (await Ledger.GetBalanceAsync("p-twice")).Total);
    }

    [StoreFact]
    public async Task The_same_idempotency_key_in_parallel_starts_one_deployment()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => Service.StartAsync(Tiny("p-race"), "redelivered"))));

        Assert.Single(results, r => r is StartDeploymentResult.Started);
        Assert.Equal(9, results.Count(r => r is StartDeploymentResult.Duplicate));
        Assert.Equal(9, (await Ledger.GetBalanceAsync("p-race")).Total);
        var list = await Service.ListAsync(new DeploymentCaller("p-race", false), false, null, null);
        Assert.Single(list.Items);
    }
}
