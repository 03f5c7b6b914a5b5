using System.Net;

namespace PartnerBot.Tests.Telemetry;

/// <summary>Reads <c>GET /metrics</c> of a host as a Prometheus server does.</summary>
public static class MetricsScrape
{
    public static async Task<string> TextAsync(HttpClient client)
    {
        using var response = await client.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    public static async Task<IReadOnlyList<PrometheusSample>> SamplesAsync(HttpClient client) => PrometheusText.Parse(await TextAsync(client));

    /// <summary>
    /// Scrapes until <paramref name="done"/> holds for the samples (the exporter caches a scrape for a moment, and a
    /// turn is counted when it ends, after its reply was sent).
    /// </summary>
    public static async Task<IReadOnlyList<PrometheusSample>> UntilAsync(HttpClient client, Func<IReadOnlyList<PrometheusSample>, bool> done,
        TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var samples = await SamplesAsync(client);
            if (done(samples)) return samples;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The metrics never matched. Last scrape:\n" + string.Join("\n",
                samples.Where(s => s.Name.StartsWith("partnerbot_", StringComparison.Ordinal)).Select(s => $"{s.Name}{{{string.Join(",", s.Labels.Select(l => l.Key + "=" + l.Value))}}} {s.Value}")));
            await Task.Delay(200);
        }
    }
}
