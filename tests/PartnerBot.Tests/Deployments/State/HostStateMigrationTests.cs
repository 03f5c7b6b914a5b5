using System.Diagnostics;
using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Tests.Deployments.Isolation;

namespace PartnerBot.Tests.Deployments.State;

/// <summary>A deployment made while state lived in its work folder keeps its resources when state moves to the backend.</summary>
public sealed class HostStateMigrationTests : IDisposable
{
    private const string Module = "resource \"terraform_data\" \"kept\" {\n  input = \"made before the backend\"\n}\n";
    private readonly string _workRoot = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "migrate-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_workRoot, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static async Task RunTerraformAsync(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo(RealTerraform.Path!) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"terraform {string.Join(' ', arguments)}: {await output}{await error}");
    }

    [TerraformFact]
    public async Task State_left_in_a_work_folder_is_moved_into_the_backend_and_the_destroy_finds_the_resources()
    {
        var deployment = "dep-legacy-" + Guid.NewGuid().ToString("N")[..8];
        var folder = Path.Combine(_workRoot, "partner-1", deployment);
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "main.tf"), Module);
        // As the host used to run it: local state in the work folder.
        await RunTerraformAsync(folder, "init", "-input=false", "-no-color");
        await RunTerraformAsync(folder, "apply", "-auto-approve", "-input=false", "-no-color");
        Assert.True(File.Exists(Path.Combine(folder, LocalTerraformRunner.HostStateFile)));

        var runner = LocalRunnerFactory.Create(new DeploymentOptions { Local = new LocalRunnerOptions { WorkRoot = _workRoot } });
        var log = new RecordingObserver();
        var outcome = await runner.RunAsync(new RunRequest(deployment, "partner-1", DeploymentAction.Destroy, new ModuleReference("Legacy", "platform"),
            new Dictionary<string, string> { ["main.tf"] = Module }, new JsonObject(), [], 2), log, CancellationToken.None);

        Assert.True(outcome.Result == RunResult.Succeeded, outcome.Message + "\n" + string.Join("\n", log.Lines));
        Assert.Contains("Moved the Terraform state kept on this host into the deployment's state backend.", log.Lines);
        Assert.Contains(log.Lines, l => l.Contains("Destroy complete! Resources: 1 destroyed."));
        Assert.False(Directory.Exists(folder), "the work folder is removed after the run");
        var states = LocalRunnerFactory.Backend.Get<TerraformStateStore>();
        var head = await states.GetHeadAsync(deployment);
        Assert.True(head.Version >= 2, "the migrated state and the destroyed one are both versions in the backend");
        Assert.Equal(0, (await states.ReadAsync(deployment))!.Version.Instances);
    }
}
