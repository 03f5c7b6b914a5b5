using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace PartnerBot.Bench.Load;

/// <summary>
/// Host start to a green <c>/readyz</c>, against a bare ASP.NET Core app started the same way in the same run
/// (the baseline: what any host on this machine costs).
/// </summary>
internal static class StartupBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length >= 2 && args[0] == "--runs" ? int.Parse(args[1]) : 5;
        using var http = new HttpClient();

        // The first start pays for JIT of everything both hosts share; it is not counted.
        await MeasureBaselineAsync(http);
        await MeasureBotAsync(http);

        var baseline = new List<double>();
        var bot = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            baseline.Add(await MeasureBaselineAsync(http));
            bot.Add(await MeasureBotAsync(http));
        }
        var b = Median(baseline);
        var p = Median(bot);
        Console.WriteLine($"start to ready, median of {runs}: bare host {b:F0} ms, PartnerBot {p:F0} ms (ratio {p / b:F2})");
        Console.WriteLine($"PartnerBot runs: {string.Join(", ", bot.Select(v => v.ToString("F0")))} ms");
        return 0;
    }

    private static async Task<double> MeasureBaselineAsync(HttpClient http)
    {
        var watch = Stopwatch.StartNew();
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        await using var app = builder.Build();
        app.MapGet("/readyz", () => Results.Text("ok"));
        await app.StartAsync();
        await WaitReadyAsync(http, new Uri(app.Urls.First().TrimEnd('/') + "/readyz"));
        var elapsed = watch.Elapsed.TotalMilliseconds;
        await app.StopAsync();
        return elapsed;
    }

    private static async Task<double> MeasureBotAsync(HttpClient http)
    {
        var watch = Stopwatch.StartNew();
        await using var host = await LoadHost.StartAsync();
        await WaitReadyAsync(http, new Uri(host.Address, "readyz"));
        return watch.Elapsed.TotalMilliseconds;
    }

    private static async Task WaitReadyAsync(HttpClient http, Uri readyz)
    {
        while (!(await http.GetAsync(readyz)).IsSuccessStatusCode) await Task.Delay(5);
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
