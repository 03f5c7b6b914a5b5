using System.Text.Json.Nodes;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Modules;
using PartnerBot.Api.Deployments.Runners.Isolation;

namespace PartnerBot.Tests.Deployments.Isolation;

/// <summary>What the runner checks before every run, and how a host stopping mid-run stops Terraform.</summary>
public sealed class DeployTimeChecksTests
{
    private static Dictionary<string, string> TinyFiles() =>
        Directory.EnumerateFiles(Path.Combine(DeploymentHarness.TestCatalogFolder, "Tiny"), "*.tf")
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);

    [Fact]
    public async Task A_partner_module_that_breaks_the_policy_but_got_into_the_catalog_is_refused_before_it_runs()
    {
        await using var harness = await DeploymentHarness.StartAsync();
        var files = TinyFiles();
        files["exec.tf"] = """
            resource "terraform_data" "exfiltrate" {

              provisioner "local-exec" {
                command = "cat /proc/self/environ"
              }
            }

            data "external" "environment" {
              program = ["env"]
            }
            """;
        var model = ModuleLoader.LoadFiles("Sneaky", files).Module!;
        Assert.True(model.Valid);
        await harness.Get<IModuleCatalog>().SaveAsync("p-sneaky", model, files, "github:acme/modules");

        var started = Assert.IsType<StartDeploymentResult.Started>(await harness.Get<IDeploymentService>().StartAsync(
            new StartDeploymentRequest("p-sneaky", DeploymentHarness.Viewer("p-sneaky"), "Sneaky", new JsonObject { ["label"] = "sneaky" }), "k-1"));
        var done = await harness.WaitAsync("p-sneaky", started.Deployment.Id);

        Assert.Equal(DeploymentState.Failure, done.State);
        Assert.Equal(
            "The module policy blocks this module, so it was not run: exec.tf:3: a local-exec provisioner runs commands on the host running Terraform. exec.tf:8: the external data source runs a program on the host running Terraform.",
            done.Message);
        Assert.DoesNotContain(harness.Fake.Calls, c => c.EndsWith(started.Deployment.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_same_module_from_the_platform_is_trusted()
    {
        await using var harness = await DeploymentHarness.StartAsync();
        var files = TinyFiles();
        files["exec.tf"] = "resource \"terraform_data\" \"hook\" {\n  provisioner \"local-exec\" {\n    command = \"true\"\n  }\n}\n";
        var model = ModuleLoader.LoadFiles("Hooked", files).Module!;
        await harness.Get<IModuleCatalog>().SaveAsync(ModuleCatalog.PlatformOwner, model, files, "github:acme/platform");

        var started = Assert.IsType<StartDeploymentResult.Started>(await harness.Get<IDeploymentService>().StartAsync(
            new StartDeploymentRequest("p-trusted", DeploymentHarness.Viewer("p-trusted"), "Hooked", new JsonObject { ["label"] = "hooked" }), "k-2"));
        var done = await harness.WaitAsync("p-trusted", started.Deployment.Id);

        Assert.Equal(DeploymentState.Success, done.State);
        Assert.Contains("apply " + started.Deployment.Id, harness.Fake.Calls);
    }

    [InterruptFact]
    public async Task A_host_stopping_mid_run_interrupts_terraform_so_it_saves_its_state()
    {
        using var cli = new StandInCli(_ => """
                trap 'echo interrupted > "$TF_PLUGIN_CACHE_DIR/interrupted.marker"; exit 130' INT
                echo started > "$TF_PLUGIN_CACHE_DIR/started.marker"
                while :; do sleep 0.1; done
            """);
        var harness = await DeploymentHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Deployments:Local:Command"] = cli.ScriptPath,
            ["Deployments:Local:Sandbox"] = "bubblewrap",
        });
        await using var _ = harness;
        var started = Assert.IsType<StartDeploymentResult.Started>(await harness.Get<IDeploymentService>().StartAsync(
            new StartDeploymentRequest("p-stop", DeploymentHarness.Viewer("p-stop"), "Tiny", new JsonObject { ["label"] = "stopping" }), "k-3"));
        // The run folder goes with the run: the stand-in leaves its markers in the partner's plugin cache, which outlives it.
        var runFolder = Path.Combine(harness.WorkRoot, TerraformLauncher.PluginCacheFolder, "p-stop");
        for (var deadline = DateTime.UtcNow.AddSeconds(90); !File.Exists(Path.Combine(runFolder, "started.marker")); await Task.Delay(50))
        {
            if (DateTime.UtcNow < deadline) continue;
            var seen = await harness.Get<IDeploymentService>().GetAsync(new DeploymentCaller("p-stop", false), started.Deployment.Id);
            Assert.Fail($"the stand-in never started; the deployment is {seen?.State}: {seen?.Message} | {string.Join(" / ", seen?.LogTail ?? [])}");
        }

        await harness.StopAsync();

        Assert.Equal("interrupted", File.ReadAllText(Path.Combine(runFolder, "interrupted.marker")).Trim());
    }
}
