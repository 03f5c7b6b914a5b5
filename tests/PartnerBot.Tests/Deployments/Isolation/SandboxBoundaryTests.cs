using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners;

namespace PartnerBot.Tests.Deployments.Isolation;

/// <summary>What a process inside the sandbox can touch: only its run folder is writable, nothing of the bot is visible.</summary>
public sealed class SandboxBoundaryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "boundary-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [SandboxFact]
    public async Task The_run_folder_is_the_only_writable_path_tmp_is_private_and_no_capability_is_kept()
    {
        var hostTmpName = "partnerbot-boundary-" + Guid.NewGuid().ToString("N");
        var workRoot = Path.Combine(_root, "work");
        var otherRun = Path.Combine(workRoot, "partner-2", "dep-other");
        Directory.CreateDirectory(otherRun);
        using var cli = new StandInCli(_ => $$"""
                for target in /usr/probe /etc/probe /probe /var/probe "$(dirname "$0")/probe" {{otherRun}}/probe /tmp/{{hostTmpName}} ./probe; do
                  if (echo x > "$target") 2>/dev/null; then echo "wrote $target"; else echo "denied $target"; fi
                done
                if [ -e {{otherRun}} ]; then echo "other run visible"; else echo "other run hidden"; fi
                grep CapEff /proc/self/status
                echo "interfaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"
                echo "host: $(cat /proc/sys/kernel/hostname)"
                echo "Apply complete! Resources: 0 added, 0 changed, 0 destroyed."
            """);
        var log = new RecordingObserver();
        var runner = LocalRunnerFactory.Create(new DeploymentOptions
        {
            Local = new LocalRunnerOptions { Command = cli.ScriptPath, WorkRoot = workRoot, Sandbox = "bubblewrap" },
        });

        var outcome = await runner.RunAsync(new RunRequest("dep-mine", "partner-1", DeploymentAction.Apply, new ModuleReference("Tiny", "partner-1"),
            new Dictionary<string, string> { ["main.tf"] = "resource \"terraform_data\" \"x\" {}\n" }, new JsonObject(), [], 1), log, CancellationToken.None);

        Assert.True(outcome.Result == RunResult.Succeeded, outcome.Message + "\n" + string.Join("\n", log.Lines));
        Assert.Contains("denied /usr/probe", log.Lines);
        Assert.Contains("denied /etc/probe", log.Lines);
        Assert.Contains("denied /probe", log.Lines);
        Assert.Contains("denied /var/probe", log.Lines);
        Assert.Contains($"denied {cli.Folder}/probe", log.Lines);
        Assert.Contains($"denied {otherRun}/probe", log.Lines);
        Assert.Contains("other run hidden", log.Lines);
        Assert.Contains("wrote ./probe", log.Lines);
        Assert.False(Directory.Exists(Path.Combine(workRoot, "partner-1", "dep-mine")), "the run folder is removed after the run");
        Assert.Contains($"wrote /tmp/{hostTmpName}", log.Lines);
        Assert.False(File.Exists(Path.Combine("/tmp", hostTmpName)), "the sandbox's /tmp is its own");
        Assert.Contains(log.Lines, l => l.StartsWith("CapEff:", StringComparison.Ordinal) && l.EndsWith("0000000000000000", StringComparison.Ordinal));
        // The network is shared: the run keeps its state in the host's backend over HTTP.
        Assert.Contains("Running in a bubblewrap sandbox, with network access.", log.Lines);
        Assert.Contains("host: partnerbot-run", log.Lines);
        Assert.False(Directory.Exists(Path.Combine(otherRun, "probe")));
    }
}
