using System.Net;
using System.Text.Json.Nodes;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Telemetry;

/// <summary>
/// <c>/healthz</c> and <c>/readyz</c> over real HTTP: the readiness body names every check with its status and a short
/// reason, the status code follows the worst check, and no configured secret appears in it.
/// </summary>
public sealed class HealthEndpointTests
{
    private static readonly string[] ReadinessChecks = ["runner", "sandbox", "slack", "storage", "teams"];

    [Fact]
    public async Task Liveness_runs_no_check()
    {
        await using var host = await BotTestHost.StartAsync();

        using var response = await host.Client.GetAsync("healthz");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", (string?)body["status"]);
        Assert.Empty(body["checks"]!.AsArray());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Readiness_names_each_check_with_its_status_and_reason_and_no_secret()
    {
        var signingSecret = "sig-" + Guid.NewGuid().ToString("N");
        var botToken = "xoxb-" + Guid.NewGuid().ToString("N");
        var appPassword = "pw-" + Guid.NewGuid().ToString("N");
        await using var host = await BotTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Slack:SigningSecret"] = signingSecret,
            ["Slack:BotToken"] = botToken,
            ["MicrosoftAppType"] = "MultiTenant",
            ["MicrosoftAppId"] = Guid.NewGuid().ToString(),
            ["MicrosoftAppPassword"] = appPassword,
            ["Stripe:SecretKey"] = "sk_test_" + Guid.NewGuid().ToString("N"),
            ["Stripe:WebhookSecret"] = "whsec_" + Guid.NewGuid().ToString("N"),
        });

        var (status, text, body) = await ReadyAsync(host);
        var checks = Checks(body);

        Assert.Equal(ReadinessChecks, checks.Keys.Order(StringComparer.Ordinal));
        Assert.All(checks.Values, c =>
        {
            Assert.Contains(c.Status, new[] { "Healthy", "Degraded", "Unhealthy" });
            Assert.False(string.IsNullOrWhiteSpace(c.Reason));
            Assert.True(c.Reason.Length < 300, "a reason is one short line: " + c.Reason);
        });
        Assert.Equal(("Healthy", "the store answers"), checks["storage"]);
        Assert.Equal("Healthy", checks["runner"].Status);
        Assert.Contains("terraform", checks["runner"].Reason);
        Assert.Equal(("Healthy", "on: signing secret and bot token set"), checks["slack"]);
        Assert.Equal(("Healthy", "on (MultiTenant)"), checks["teams"]);
        // The sandbox depends on this machine (bubblewrap or not); whatever it is, the answer follows the worst check.
        var unhealthy = checks.Values.Any(c => c.Status == "Unhealthy");
        Assert.Equal(unhealthy ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK, status);
        Assert.Equal(unhealthy ? "Unhealthy" : checks.Values.Any(c => c.Status == "Degraded") ? "Degraded" : "Healthy", (string?)body["status"]);

        foreach (var secret in new[] { signingSecret, botToken, appPassword }) Assert.DoesNotContain(secret, text);
        Assert.DoesNotContain("sk_test_", text);
        Assert.DoesNotContain("whsec_", text);
    }

    [Fact]
    public async Task Half_a_slack_configuration_and_a_missing_cli_make_the_host_unready_saying_which_keys()
    {
        var botToken = "xoxb-" + Guid.NewGuid().ToString("N");
        await using var host = await BotTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = botToken,
            ["Deployments:Runner"] = "Local",
            ["Deployments:Local:Command"] = "no-such-terraform-cli",
        });

        var (status, text, body) = await ReadyAsync(host);
        var checks = Checks(body);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", (string?)body["status"]);
        Assert.Equal("Unhealthy", checks["slack"].Status);
        Assert.Contains("Slack:SigningSecret is not set", checks["slack"].Reason);
        Assert.Equal("Unhealthy", checks["runner"].Status);
        Assert.Contains("no-such-terraform-cli", checks["runner"].Reason);
        Assert.Equal(("Healthy", "the store answers"), checks["storage"]);
        Assert.StartsWith("off", checks["teams"].Reason);
        Assert.DoesNotContain(botToken, text);
    }

    [Fact]
    public async Task With_the_github_actions_runner_the_runner_check_names_the_workflow_and_never_its_secrets()
    {
        var callbackSecret = "cb-" + Guid.NewGuid().ToString("N");
        var token = "ghp_" + Guid.NewGuid().ToString("N");
        await using var host = await BotTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Deployments:Runner"] = "GitHubActions",
            ["Deployments:GitHubActions:Repository"] = "acme/deploy-runs",
            ["Deployments:GitHubActions:CallbackSecret"] = callbackSecret,
            ["GitHub:PlatformToken"] = token,
        });

        var (_, text, body) = await ReadyAsync(host);
        var checks = Checks(body);

        Assert.Equal(("Healthy", "GitHubActions runner: workflow partnerbot-deploy.yml of acme/deploy-runs"), checks["runner"]);
        // Runs happen elsewhere: this host's sandbox does not matter.
        Assert.Equal("Healthy", checks["sandbox"].Status);
        Assert.Contains("GitHubActions", checks["sandbox"].Reason);
        Assert.DoesNotContain(callbackSecret, text);
        Assert.DoesNotContain(token, text);
    }

    private static async Task<(HttpStatusCode Status, string Text, JsonNode Body)> ReadyAsync(BotTestHost host)
    {
        using var response = await host.Client.GetAsync("readyz");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text, JsonNode.Parse(text)!);
    }

    private static Dictionary<string, (string Status, string Reason)> Checks(JsonNode body) =>
        body["checks"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => ((string)c!["status"]!, (string?)c["description"] ?? ""));
}
