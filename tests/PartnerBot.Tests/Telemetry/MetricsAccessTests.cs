using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Telemetry;

/// <summary>
/// Who may read <c>GET /metrics</c>, asked over real HTTP from 127.0.0.1: outside Development only the networks in
/// <c>Telemetry:Prometheus:AllowedNetworks</c>; in Development anyone unless the endpoint is turned off.
/// </summary>
public sealed class MetricsAccessTests
{
    private static Dictionary<string, string?> Production(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?> { ["PublicBaseUrl"] = "https://bot.example.com" };
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }

    [Fact]
    public async Task Outside_development_metrics_are_not_served_when_no_network_is_listed()
    {
        await using var host = await BotTestHost.StartAsync(Production(), environment: "Production");

        using var response = await host.Client.GetAsync("metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("partnerbot_", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Outside_development_a_caller_outside_the_allowed_networks_is_refused_with_a_problem()
    {
        await using var host = await BotTestHost.StartAsync(Production(
            ("Telemetry:Prometheus:AllowedNetworks:0", "10.0.0.0/8"),
            ("Telemetry:Prometheus:AllowedNetworks:1", "192.168.10.7")), environment: "Production");

        using var response = await host.Client.GetAsync("metrics");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Telemetry:Prometheus:AllowedNetworks", (string?)JsonNode.Parse(body)!["detail"]);
        Assert.DoesNotContain("partnerbot_", body);
    }

    [Fact]
    public async Task Outside_development_a_caller_in_an_allowed_network_reads_the_prometheus_text()
    {
        // The comma-separated form an environment variable gives (Telemetry__Prometheus__AllowedNetworks).
        await using var host = await BotTestHost.StartAsync(Production(
            ("Telemetry:Prometheus:AllowedNetworks", "10.0.0.0/8, 127.0.0.0/8")), environment: "Production");

        var samples = await MetricsScrape.UntilAsync(host.Client, s => s.Any(x => x.Name == "partnerbot_store_operation_duration_seconds_count"));

        Assert.Contains(samples, s => s.Name == "partnerbot_store_operation_duration_seconds_bucket" && s.Labels["store"] == "sqlite");
    }

    [Fact]
    public async Task Outside_development_turning_metrics_on_without_networks_stops_the_host_naming_the_key()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await BotTestHost.StartAsync(Production(("Telemetry:Prometheus:Enabled", "true")), environment: "Production");
        });

        Assert.Contains("Telemetry:Prometheus:AllowedNetworks", failure.Message);
    }

    [Fact]
    public async Task A_network_that_is_no_address_or_range_stops_the_host_naming_it()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await BotTestHost.StartAsync(Production(("Telemetry:Prometheus:AllowedNetworks:0", "10.0.0.0/33")),
                environment: "Production");
        });

        Assert.Contains("'10.0.0.0/33'", failure.Message);
    }

    [Fact]
    public async Task In_development_metrics_are_served_by_default_and_not_when_turned_off()
    {
        await using (var host = await BotTestHost.StartAsync())
            Assert.Contains("# TYPE", await MetricsScrape.TextAsync(host.Client));

        await using (var off = await BotTestHost.StartAsync(new Dictionary<string, string?> { ["Telemetry:Prometheus:Enabled"] = "false" }))
            Assert.Equal(HttpStatusCode.NotFound, (await off.Client.GetAsync("metrics")).StatusCode);
    }

    [Fact]
    public async Task In_development_listed_networks_apply_too()
    {
        await using var host = await BotTestHost.StartAsync(new Dictionary<string, string?> { ["Telemetry:Prometheus:AllowedNetworks:0"] = "10.1.0.0/16" });

        Assert.Equal(HttpStatusCode.Forbidden, (await host.Client.GetAsync("metrics")).StatusCode);
    }
}
