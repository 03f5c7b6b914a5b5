using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners;
using PartnerBot.Tests.Deployments.Isolation;

namespace PartnerBot.Tests.Deployments;

public sealed class LocalTerraformRunnerTests : IDisposable
{
    private readonly string _workRoot = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "runner-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_workRoot, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The fake CLI records its calls in its own folder, which a sandbox keeps read-only: it runs unsandboxed.</summary>
    private BackedLocalRunner Runner(string command, string? searchPath, string? sandbox = "none", TimeSpan? gracePeriod = null) =>
        LocalRunnerFactory.Create(new DeploymentOptions
        {
            Local = new LocalRunnerOptions
            {
                Command = command, SearchPath = searchPath, WorkRoot = _workRoot, Sandbox = sandbox,
                GracePeriod = gracePeriod ?? TimeSpan.FromSeconds(60),
            },
        });

    private static RunRequest Request(string module, JsonObject variables, DeploymentAction action = DeploymentAction.Apply)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "catalog", module);
        if (!Directory.Exists(folder)) folder = Path.Combine(DeploymentHarness.TestCatalogFolder, module);
        var files = Directory.EnumerateFiles(folder, "*.tf").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        return new RunRequest("dep-runner-test", "partner-1", action, new ModuleReference(module, "platform"), files, variables,
            [], 1);
    }

    [TerraformFact]
    public async Task The_real_terraform_cli_applies_a_sample_module_and_returns_its_outputs_then_destroys_it()
    {
        var runner = Runner("terraform", null, sandbox: null);
        var log = new RecordingObserver();
        var variables = new JsonObject { ["project_id"] = "acme-prod-01", ["subnet_count"] = 3, ["region"] = "europe-west1",
            ["enable_nat"] = true };

        var applied = await runner.RunAsync(Request("Network", variables), log, CancellationToken.None);

        Assert.True(applied.Result == RunResult.Succeeded, applied.Message + "\n" + string.Join("\n", log.Lines));
        Assert.Equal("acme-prod-01-vpc", applied.Outputs!["network_name"].Value!.GetValue<string>());
        Assert.Equal(3, applied.Outputs["subnet_cidrs"].Value!.AsArray().Count);
        Assert.Contains(log.Lines, l => l.Contains("Apply complete!"));
        Assert.False(File.Exists(Path.Combine(_workRoot, "partner-1", "dep-runner-test", LocalTerraformRunner.VariablesFile)));

        var destroyed = await runner.RunAsync(Request("Network", variables, DeploymentAction.Destroy), log, CancellationToken.None);
        Assert.Equal(RunResult.Succeeded, destroyed.Result);
        Assert.Contains(log.Lines, l => l.Contains("Destroy complete!"));
    }

    [Fact]
    public async Task A_fake_terraform_on_path_is_run_like_the_cli_and_its_outputs_are_read()
    {
        using var fake = new FakeTerraform();
        var log = new RecordingObserver();

        var outcome = await Runner("terraform", fake.SearchPath)
            .RunAsync(Request("Tiny", new JsonObject { ["label"] = "abc" }), log, CancellationToken.None);

        Assert.Equal(RunResult.Succeeded, outcome.Result);
        Assert.Equal("yes", outcome.Outputs!["applied"].Value!.GetValue<string>());
        Assert.True(outcome.Outputs["inputs"].Sensitive);
        Assert.Equal(["init dep-runner-test", "apply dep-runner-test", "output dep-runner-test"], fake.Calls);
        Assert.Contains("$ terraform apply -auto-approve -input=false -no-color", log.Lines);
    }

    [Fact]
    public async Task A_failing_cli_gives_failure_with_its_error_line()
    {
        using var fake = new FakeTerraform();
        fake.FailApply();

        var outcome = await Runner("terraform", fake.SearchPath)
            .RunAsync(Request("Tiny", new JsonObject { ["label"] = "abc" }), new RecordingObserver(), CancellationToken.None);

        Assert.Equal(RunResult.Failed, outcome.Result);
        Assert.Equal("terraform apply failed (exit code 1): Error: creating the thing failed: quota exceeded", outcome.Message);
    }

    [Fact]
    public async Task A_missing_binary_fails_with_a_clear_message_and_never_pretends_success()
    {
        var emptyPath = Path.Combine(_workRoot, "empty-bin");
        Directory.CreateDirectory(emptyPath);

        var outcome = await Runner("terraform", emptyPath)
            .RunAsync(Request("Tiny", new JsonObject { ["label"] = "abc" }), new RecordingObserver(), CancellationToken.None);

        Assert.Equal(RunResult.Failed, outcome.Result);
        Assert.Equal("terraform was not found on PATH; install Terraform or OpenTofu, or configure the GitHubActions runner", outcome.Message);
    }

    [Fact]
    public async Task Cancelling_kills_the_cli()
    {
        using var fake = new FakeTerraform();
        fake.Slow();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var started = DateTime.UtcNow;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Runner("terraform", fake.SearchPath, gracePeriod: TimeSpan.FromSeconds(2))
            .RunAsync(Request("Tiny", new JsonObject { ["label"] = "abc" }), new RecordingObserver(), cancel.Token));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), "the slow apply should have been killed");
    }
}

internal sealed class RecordingObserver : IRunObserver
{
    private readonly List<string> _lines = [];
    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }
    public (string Id, string? Url)? ExternalRun { get; private set; }

    public Task LogAsync(string line, CancellationToken ct)
    {
        lock (_lines) _lines.Add(line);
        return Task.CompletedTask;
    }

    public Task ExternalRunAsync(string runId, string? url, CancellationToken ct)
    {
        ExternalRun = (runId, url);
        return Task.CompletedTask;
    }
}
