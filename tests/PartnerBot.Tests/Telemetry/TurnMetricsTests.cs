using PartnerBot.Tests.Infrastructure;
using TurnTelemetryRoutes = PartnerBot.Bot.Hosting.Telemetry.TurnTelemetry;

namespace PartnerBot.Tests.Telemetry;

/// <summary>
/// The instruments as a Prometheus server reads them from the real <c>GET /metrics</c> of the host (Development, where
/// the endpoint is on by default): a Web Chat turn is counted by channel and route, and the other instruments carry
/// their fixed Prometheus names.
/// </summary>
[Collection(ProcessWideTelemetry.Name)]
public sealed class TurnMetricsTests : IAsyncLifetime
{
    private BotTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await BotTestHost.StartAsync(new Dictionary<string, string?> { ["Telemetry:BacklogInterval"] = "00:00:01" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_help_turn_is_counted_once_under_its_channel_and_route()
    {
        var chat = await MenuShownAsync();
        // The menu turn is counted when it ends: wait for it, so the help turn is the only change below.
        var before = await MetricsScrape.UntilAsync(_host.Client, s => Turns(s, "menu") >= 1);
        var helpBefore = Turns(before, "help");
        var durationsBefore = PrometheusText.Sum(before, "partnerbot_turn_duration_seconds_count", ("channel", "directline"));

        await chat.SendTextAsync("help");
        var after = await MetricsScrape.UntilAsync(_host.Client, s => Turns(s, "help") > helpBefore);

        Assert.Equal(helpBefore + 1, Turns(after, "help"));
        Assert.Equal(durationsBefore + 1, PrometheusText.Sum(after, "partnerbot_turn_duration_seconds_count", ("channel", "directline")));
    }

    [Fact]
    public async Task Text_that_is_no_command_is_counted_as_unmatched_and_never_becomes_a_label()
    {
        var chat = await MenuShownAsync();
        await MetricsScrape.UntilAsync(_host.Client, s => Turns(s, "menu") >= 1);
        var before = Turns(await MetricsScrape.SamplesAsync(_host.Client), TurnTelemetryRoutes.Unmatched);

        await chat.SendTextAsync("qzx-marker-7731 where are my things");
        await chat.WaitForTextAsync("didn't understand");
        var after = await MetricsScrape.UntilAsync(_host.Client, s => Turns(s, TurnTelemetryRoutes.Unmatched) > before);

        Assert.Equal(before + 1, Turns(after, TurnTelemetryRoutes.Unmatched));
        Assert.DoesNotContain("qzx-marker-7731", await MetricsScrape.TextAsync(_host.Client));
    }

    [Fact]
    public async Task The_instruments_are_served_under_their_prometheus_names_and_types()
    {
        var chat = await MenuShownAsync();
        // The billing card opens the credit account: the sign-up award is granted then.
        await chat.SendTextAsync("billing");

        var samples = await MetricsScrape.UntilAsync(_host.Client, s =>
            Turns(s, "menu") >= 1
            && PrometheusText.Sum(s, "partnerbot_credits_total", ("kind", "granted")) >= 100
            && s.Count(x => x.Name == "partnerbot_inbox_backlog") == 3);
        var text = await MetricsScrape.TextAsync(_host.Client);
        var types = PrometheusText.Types(text);

        Assert.Equal("counter", types["partnerbot_turns_total"]);
        Assert.Equal("histogram", types["partnerbot_turn_duration_seconds"]);
        Assert.Equal("counter", types["partnerbot_credits_total"]);
        Assert.Equal("gauge", types["partnerbot_inbox_backlog"]);
        Assert.Equal("histogram", types["partnerbot_store_operation_duration_seconds"]);

        // Buckets in seconds: a turn here takes well under 5 s, and the boundaries below that tell how long.
        var buckets = samples.Where(s => s.Name == "partnerbot_turn_duration_seconds_bucket" && s.Labels["channel"] == "directline").ToList();
        Assert.Contains(buckets, b => b.Labels["le"] == "0.25");
        Assert.Contains(buckets, b => b.Labels["le"] == "1");
        Assert.Contains(samples, s => s.Name == "partnerbot_store_operation_duration_seconds_bucket" && s.Labels["le"] == "0.005");
        // The new Web Chat user got the sign-up award.
        Assert.True(PrometheusText.Sum(samples, "partnerbot_credits_total", ("kind", "granted")) >= 100);
        Assert.Equal(["outbox", "slack", "support"],
            samples.Where(s => s.Name == "partnerbot_inbox_backlog").Select(s => s.Labels["queue"]).Order(StringComparer.Ordinal));
        Assert.Contains(samples, s => s.Name == "partnerbot_store_operation_duration_seconds_count"
            && s.Labels["store"] == "sqlite" && s.Labels["operation"] == "read" && s.Value > 0);
        Assert.Contains(samples, s => s.Name == "partnerbot_store_operation_duration_seconds_count" && s.Labels["operation"] == "query");
    }

    [Fact]
    public async Task Request_durations_are_served_and_the_per_request_gauges_and_counters_left_off_are_not()
    {
        await MenuShownAsync();
        var samples = await MetricsScrape.UntilAsync(_host.Client, s =>
            s.Any(x => x.Name == "http_server_request_duration_seconds_count" && x.Value > 0)
            && s.Any(x => x.Name == "http_client_request_duration_seconds_count" && x.Value > 0));

        var names = samples.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("kestrel_active_connections", names);
        Assert.DoesNotContain("http_server_active_requests", names);
        Assert.DoesNotContain("http_client_active_requests", names);
        Assert.DoesNotContain(names, n => n.StartsWith("http_client_request_time_in_queue", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.StartsWith("aspnetcore_routing_match_attempts", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.StartsWith("aspnetcore_memory_pool", StringComparison.Ordinal));
    }

    private async Task<DirectLineTestClient> MenuShownAsync()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("menu");
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Deploy a module"));
        return chat;
    }

    private static double Turns(IReadOnlyList<PrometheusSample> samples, string route) =>
        PrometheusText.Sum(samples, "partnerbot_turns_total", ("channel", "directline"), ("route", route));
}
