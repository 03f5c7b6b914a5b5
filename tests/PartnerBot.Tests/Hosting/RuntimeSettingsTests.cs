using System.Text.Json.Nodes;

namespace PartnerBot.Tests.Hosting;

/// <summary>The runtime settings the executable starts with, as its build writes them next to it.</summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void The_executable_runs_the_server_gc_with_gen0_capped_at_six_megabytes()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "partnerbot.runtimeconfig.json");
        var settings = JsonNode.Parse(File.ReadAllText(path))!["runtimeOptions"]!["configProperties"]!;

        Assert.True((bool)settings["System.GC.Server"]!);
        Assert.Equal(6L * 1024 * 1024, (long)settings["System.GC.Gen0MaxBudget"]!);
    }
}
