using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;

namespace PartnerBot.Tests.Deployments;

public sealed class DeploymentTimeoutTests
{
    [Fact]
    public async Task A_run_longer_than_the_time_limit_is_stopped_and_marked_timeout()
    {
        await using var harness = await DeploymentHarness.StartAsync(new Dictionary<string, string?> { ["Deployments:Timeout"] = "00:00:01" });
        harness.Fake.Slow();
        var request = new StartDeploymentRequest("p-slow", DeploymentHarness.Viewer("p-slow"), "Tiny", new JsonObject { ["label"] = "slow" });
        var started = Assert.IsType<StartDeploymentResult.Started>(await harness.Get<IDeploymentService>().StartAsync(request, "k"));

        var done = await harness.WaitAsync("p-slow", started.Deployment.Id, timeout: TimeSpan.FromSeconds(30));

        Assert.Equal(DeploymentState.Timeout, done.State);
        Assert.StartsWith("Stopped after the time limit of 00:00:01.", done.Message);
        Assert.Equal(DeploymentState.Timeout, done.Builds[^1].Result);
    }
}
