using System.Text.Json.Nodes;

namespace PartnerBot.Tests.Hosting;

/// <summary>The runtime settings the executable starts with, as its build writes them next to it.</summary>
public sealed class RuntimeSettingsTests
{
    private static JsonNode Settings() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "partnerbot.runtimeconfig.json")))!
            ["runtimeOptions"]!["configProperties"]!;

    [Fact]
    public void The_executable_runs_the_server_gc_with_gen0_capped_at_six_megabytes()
    {
        var settings = Settings();
        Assert.True((bool)settings["System.GC.Server"]!);
        Assert.Equal(6L * 1024 * 1024, (long)settings["System.GC.Gen0MaxBudget"]!);
    }

    [Fact]
    public void Hot_methods_are_optimised_without_waiting_for_start_up_to_go_quiet()
    {
        Assert.Equal(0, (int)Settings()["System.Runtime.TieredCompilation.CallCountingDelayMs"]!);
    }
}
