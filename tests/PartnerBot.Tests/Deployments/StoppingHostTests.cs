using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;

namespace PartnerBot.Tests.Deployments;

/// <summary>A host that is shutting down leaves new work to the hosts that stay.</summary>
public sealed class StoppingHostTests
{
    [Fact]
    public async Task A_stopping_host_claims_no_new_deployment_and_a_live_host_runs_it()
    {
        await using var stopping = await DeploymentHarness.StartAsync();
        using var otherFake = new FakeTerraform();
        stopping.Get<IHostApplicationLifetime>().StopApplication();

        var started = Assert.IsType<PartnerBot.Api.Deployments.StartDeploymentResult.Started>(
            await stopping.Get<PartnerBot.Api.Deployments.IDeploymentService>().StartAsync(
                new PartnerBot.Api.Deployments.StartDeploymentRequest("p-stopping", DeploymentHarness.Viewer("p-stopping"), "Tiny",
                    new JsonObject { ["label"] = "hello" }), "stopping-1"));
        // Several of the stopping host's poll intervals (50 ms) pass before another host is there to take it.
        await Task.Delay(TimeSpan.FromSeconds(2));

        await using var live = await DeploymentHarness.StartAsync(sharedStore: stopping.Store, sharedFake: otherFake,
            sharedWorkRoot: stopping.WorkRoot);
        var done = await live.WaitAsync("p-stopping", started.Deployment.Id);

        Assert.Equal(PartnerBot.Api.Deployments.DeploymentState.Success, done.State);
        Assert.DoesNotContain(stopping.Fake.Calls, c => c.EndsWith(started.Deployment.Id, StringComparison.Ordinal));
        Assert.Contains(otherFake.Calls, c => c == "apply " + started.Deployment.Id);
    }
}
