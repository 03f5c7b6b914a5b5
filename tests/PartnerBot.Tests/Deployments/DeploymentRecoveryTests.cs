using System.Text.Json.Nodes;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;

namespace PartnerBot.Tests.Deployments;

/// <summary>What a restarted host does with deployments the previous host left half-way.</summary>
public sealed class DeploymentRecoveryTests
{
    private static Deployment Abandoned(string id, string partner, int attempts)
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        return new Deployment
        {
            Id = id, PartnerId = partner, CreatedBy = partner, Module = new ModuleReference("Tiny", "platform"),
            Inputs = new Dictionary<string, JsonNode?> { ["label"] = "resumed" },
            Charged = true, Cost = 1, Attempts = attempts, CreatedAt = at, CreatedAtMs = at.ToUnixTimeMilliseconds(),
            Lease = new DeploymentLease("worker-dead", at.AddMinutes(1).ToUnixTimeMilliseconds()),
            Builds = [new DeploymentBuild(1, DeploymentAction.Apply, "Local", at)],
        }.Record(DeploymentState.Queued, "Queued.", partner, at)
         .Transition(DeploymentState.Pending, "Preparing the run.", "system", at)!
         .Transition(DeploymentState.Working, "Deploying.", "system", at)! with { OutboxPending = false };
    }

    [Fact]
    public async Task A_deployment_left_working_by_a_dead_host_is_resumed_to_success()
    {
        await using var harness = await DeploymentHarness.StartAsync(new Dictionary<string, string?> { ["Deployments:PollInterval"] = "00:00:10" });
        await harness.Get<DeploymentRepository>().CreateAsync(Abandoned("dep-resume", "p-resume", attempts: 1));

        await harness.Get<DeploymentWorker>().RecoverAbandonedAsync(CancellationToken.None);
        var done = await harness.WaitAsync("p-resume", "dep-resume");

        Assert.Equal(DeploymentState.Success, done.State);
        Assert.Contains(done.History, h => h.Message == "Resuming after a service restart: planning again.");
        Assert.Equal(DeploymentState.InternalError, done.Builds[0].Result);
        Assert.Equal(DeploymentState.Success, done.Builds[1].Result);
    }

    [Fact]
    public async Task A_deployment_that_keeps_dying_becomes_an_internal_error()
    {
        await using var harness = await DeploymentHarness.StartAsync(new Dictionary<string, string?> { ["Deployments:PollInterval"] = "00:00:10" });
        await harness.Get<DeploymentRepository>().CreateAsync(Abandoned("dep-dying", "p-dying", attempts: 2));

        await harness.Get<DeploymentWorker>().RecoverAbandonedAsync(CancellationToken.None);
        var done = await harness.WaitAsync("p-dying", "dep-dying");

        Assert.Equal(DeploymentState.InternalError, done.State);
        Assert.DoesNotContain(harness.Fake.Calls, c => c.EndsWith("dep-dying"));
    }

    [Fact]
    public async Task A_start_interrupted_before_the_charge_is_finished_once()
    {
        await using var harness = await DeploymentHarness.StartAsync();
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        await harness.Get<DeploymentRepository>().CreateAsync(new Deployment
        {
            Id = "dep-half", PartnerId = "p-half", CreatedBy = "p-half", Module = new ModuleReference("Tiny", "platform"),
            Inputs = new Dictionary<string, JsonNode?> { ["label"] = "half" }, Cost = 1, Charged = false,
            CreatedAt = at, CreatedAtMs = at.ToUnixTimeMilliseconds(),
        });
        var service = harness.Get<DeploymentService>();

        await service.RecoverUnchargedAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        await service.RecoverUnchargedAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        var done = await harness.WaitAsync("p-half", "dep-half");

        Assert.Equal(DeploymentState.Success, done.State);
        Assert.Equal(9, (await harness.Get<ICreditLedger>().GetBalanceAsync("p-half")).Total);
    }
}
