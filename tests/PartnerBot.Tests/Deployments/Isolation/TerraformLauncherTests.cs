using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners;

namespace PartnerBot.Tests.Deployments.Isolation;

/// <summary>What the launcher hands the runner: the environment and sandbox of a run, given its module and state backend.</summary>
public sealed class TerraformLauncherTests : IDisposable
{
    private readonly string _workRoot = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "launcher-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_workRoot, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static RunRequest Request(string mainTf) => new("dep-launch", "partner-1", DeploymentAction.Apply, new ModuleReference("Tiny", "partner-1"),
        new Dictionary<string, string> { ["main.tf"] = mainTf }, new JsonObject(), [], 1);

    [SandboxFact]
    public async Task A_remote_state_backend_gets_its_variables_and_the_network_a_terraform_data_module_alone_gets_neither()
    {
        var (launcher, folders) = LocalRunnerFactory.Launcher(new DeploymentOptions
        {
            Local = new LocalRunnerOptions { Command = "/usr/bin/true", WorkRoot = _workRoot, Sandbox = "bubblewrap" },
        });
        var folder = folders.For("partner-1", "dep-launch");
        const string module = "resource \"terraform_data\" \"x\" {}\n";

        var offline = await launcher.PrepareAsync(Request(module), folder, new RecordingObserver(), CancellationToken.None);
        var online = await launcher.PrepareAsync(Request(module), folder, new RecordingObserver(), CancellationToken.None,
            new Dictionary<string, string> { ["TF_HTTP_PASSWORD"] = "state-password" }, remoteBackend: true);
        var provider = await launcher.PrepareAsync(Request("resource \"random_pet\" \"x\" {}\n"), folder, new RecordingObserver(), CancellationToken.None);

        Assert.DoesNotContain("--share-net", offline.Process!.Launch.Sandbox!.Arguments);
        Assert.False(offline.Process.Launch.Environment.ContainsKey("TF_HTTP_PASSWORD"));
        Assert.Contains("--share-net", online.Process!.Launch.Sandbox!.Arguments);
        Assert.Equal("state-password", online.Process.Launch.Environment["TF_HTTP_PASSWORD"]);
        Assert.DoesNotContain(online.Process.Launch.Sandbox.Arguments, a => a.Contains("state-password", StringComparison.Ordinal));
        Assert.Contains("--share-net", provider.Process!.Launch.Sandbox!.Arguments);
    }

    [Fact]
    public async Task A_blocked_partner_module_gets_no_process()
    {
        var (launcher, folders) = LocalRunnerFactory.Launcher(new DeploymentOptions
        {
            Local = new LocalRunnerOptions { Command = "/usr/bin/true", WorkRoot = _workRoot, Sandbox = "none" },
        });

        var prepared = await launcher.PrepareAsync(Request("resource \"terraform_data\" \"x\" {\n  provisioner \"local-exec\" {\n    command = \"id\"\n  }\n}\n"),
            folders.For("partner-1", "dep-launch"), new RecordingObserver(), CancellationToken.None);

        Assert.Null(prepared.Process);
        Assert.Equal("The module policy blocks this module, so it was not run: main.tf:2: a local-exec provisioner runs commands on the host running Terraform.",
            prepared.Refusal!.Message);
        Assert.False(prepared.Refusal.Internal);
    }
}
