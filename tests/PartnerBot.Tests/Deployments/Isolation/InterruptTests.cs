using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners;

namespace PartnerBot.Tests.Deployments.Isolation;

/// <summary>Cancel sends Terraform an interrupt and waits up to the grace period before killing the whole tree.</summary>
public sealed class InterruptTests : IDisposable
{
    private readonly string _workRoot = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "interrupt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_workRoot, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string RunFolder => Path.Combine(_workRoot, "partner-1", "dep-stop");

    private Task<RunOutcome> StartAsync(StandInCli cli, string? sandbox, TimeSpan grace, RecordingObserver log, CancellationToken ct) =>
        LocalRunnerFactory.Create(new DeploymentOptions
        {
            Local = new LocalRunnerOptions { Command = cli.ScriptPath, WorkRoot = _workRoot, Sandbox = sandbox, GracePeriod = grace },
        }).RunAsync(new RunRequest("dep-stop", "partner-1", DeploymentAction.Apply, new ModuleReference("Tiny", "platform"),
            new Dictionary<string, string> { ["main.tf"] = "resource \"terraform_data\" \"x\" {}\n" }, new JsonObject(), [], 1), log, ct);

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Still waiting for " + what);
            await Task.Delay(50);
        }
    }


    [InterruptFact]
    public async Task Cancel_interrupts_the_cli_inside_the_sandbox_so_it_can_save_its_state_and_nothing_it_started_survives()
    {
        using var cli = new StandInCli(token => $$"""
                trap 'echo "caught the interrupt"; exit 130' INT
                sh -c 'while :; do sleep 1; done' {{token}} >/dev/null 2>&1 &
                echo "waiting for an interrupt"
                while :; do sleep 0.1; done
            """);
        var log = new RecordingObserver();
        using var cancel = new CancellationTokenSource();

        var run = StartAsync(cli, sandbox: "bubblewrap", TimeSpan.FromSeconds(60), log, cancel.Token);
        await WaitForAsync(() => log.Lines.Contains("waiting for an interrupt") || run.IsCompleted, "the stand-in to start");
        Assert.False(run.IsCompleted, string.Join("\n", log.Lines));
        Assert.Contains("Running in a bubblewrap sandbox, with network access.", log.Lines);
        await WaitForAsync(() => cli.ProcessesWithToken().Count > 0, "the stand-in's child to start");

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.Contains("caught the interrupt", log.Lines);
        Assert.DoesNotContain(log.Lines, l => l.Contains("killing it"));
        await WaitForAsync(() => cli.ProcessesWithToken().Count == 0, "the sandbox's processes to end");
    }

    [InterruptFact(sandboxed: false)]
    public async Task Cancel_interrupts_an_unsandboxed_cli_too()
    {
        using var cli = new StandInCli(_ => """
                trap 'echo "caught the interrupt"; exit 130' INT
                echo "waiting for an interrupt"
                while :; do sleep 0.1; done
            """);
        var log = new RecordingObserver();
        using var cancel = new CancellationTokenSource();

        var run = StartAsync(cli, sandbox: "none", TimeSpan.FromSeconds(60), log, cancel.Token);
        await WaitForAsync(() => log.Lines.Contains("waiting for an interrupt") || run.IsCompleted, "the stand-in to start");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.Contains("caught the interrupt", log.Lines);
        Assert.DoesNotContain(log.Lines, l => l.Contains("killing it"));
    }

    [SandboxFact]
    public async Task A_cli_that_ignores_the_interrupt_is_killed_after_the_grace_period_with_everything_it_started()
    {
        using var cli = new StandInCli(token => $$"""
                trap '' INT
                sh -c 'while :; do sleep 1; done' {{token}} >/dev/null 2>&1 &
                echo "ignoring interrupts"
                while :; do sleep 0.1; done
            """);
        var log = new RecordingObserver();
        using var cancel = new CancellationTokenSource();

        var run = StartAsync(cli, sandbox: "bubblewrap", TimeSpan.FromSeconds(1), log, cancel.Token);
        await WaitForAsync(() => log.Lines.Contains("ignoring interrupts") || run.IsCompleted, "the stand-in to start");
        Assert.NotEmpty(cli.ProcessesWithToken());
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.Contains(log.Lines, l => l.StartsWith("Interrupted terraform; waiting up to 00:00:01", StringComparison.Ordinal));
        Assert.Contains("terraform did not stop within 00:00:01; killing it.", log.Lines);
        await WaitForAsync(() => cli.ProcessesWithToken().Count == 0, "the killed sandbox's processes to end");
    }
}
