using Microsoft.Extensions.Options;

namespace PartnerBot.Tests.Deployments;

public sealed class DeploymentOptionsTests
{
    [Fact]
    public async Task The_github_actions_runner_without_its_settings_stops_start_up_with_messages_naming_the_keys()
    {
        var settings = new Dictionary<string, string?> { ["Deployments:Runner"] = "GitHubActions" };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var harness = await DeploymentHarness.StartAsync(settings);
        });

        Assert.Contains(error.Failures, f => f.StartsWith("Deployments:GitHubActions:Repository must be owner/name"));
        Assert.Contains(error.Failures, f => f.StartsWith("GitHub:PlatformToken is required"));
        Assert.Contains(error.Failures, f => f.StartsWith("Deployments:GitHubActions:CallbackSecret must be at least 16 characters"));
    }

    [Fact]
    public async Task An_out_of_range_time_limit_is_refused_at_start_up()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var harness = await DeploymentHarness.StartAsync(new Dictionary<string, string?> { ["Deployments:Timeout"] = "00:00:00" });
        });
        Assert.Contains(error.Failures, f => f.Contains("Deployments:Timeout"));
    }
}
