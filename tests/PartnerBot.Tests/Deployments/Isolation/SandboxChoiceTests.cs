using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Deployments.Isolation;

/// <summary>Which sandbox a host uses, and what it refuses without one.</summary>
public sealed class SandboxChoiceTests : IDisposable
{
    private const string NoSandboxMessage =
        "This server cannot run partner modules: it has no sandbox for Terraform (bwrap was not found on the PATH). An operator must install bubblewrap (Debian package bubblewrap), or set Deployments:Local:Sandbox to none.";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "choice-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A search path holding only the real Terraform CLI: no bwrap.</summary>
    private string PathWithoutBubblewrap()
    {
        var folder = Path.Combine(_root, "bin");
        Directory.CreateDirectory(folder);
        if (RealTerraform.Path is { } terraform) File.CreateSymbolicLink(Path.Combine(folder, "terraform"), terraform);
        return folder;
    }

    private static RunRequest Tiny(string owner) =>
        new("dep-choice-" + owner, "partner-1", DeploymentAction.Apply, new ModuleReference("Tiny", owner),
            Directory.EnumerateFiles(Path.Combine(DeploymentHarness.TestCatalogFolder, "Tiny"), "*.tf").ToDictionary(f => Path.GetFileName(f), File.ReadAllText),
            new JsonObject { ["label"] = "choice" }, [], 1);

    private BackedLocalRunner Runner(string environment, string? sandbox, LogCapture? logs = null) =>
        LocalRunnerFactory.Create(new DeploymentOptions
        {
            Local = new LocalRunnerOptions { SearchPath = PathWithoutBubblewrap(), WorkRoot = Path.Combine(_root, "work"), Sandbox = sandbox },
        }, environment, logs: logs is null ? null : LoggerFactory.Create(b => b.AddProvider(logs)));

    [TerraformFact]
    public async Task In_production_without_bwrap_partner_modules_are_refused_with_a_clear_message_and_platform_modules_still_run()
    {
        var logs = new LogCapture();
        var runner = Runner("Production", sandbox: null, logs);

        var partner = await runner.RunAsync(Tiny("partner-1"), new RecordingObserver(), CancellationToken.None);
        var platformLog = new RecordingObserver();
        var platform = await runner.RunAsync(Tiny("platform"), platformLog, CancellationToken.None);

        Assert.Equal(RunResult.Failed, partner.Result);
        Assert.True(partner.Internal);
        Assert.Equal(NoSandboxMessage, partner.Message);
        Assert.True(platform.Result == RunResult.Succeeded, platform.Message + "\n" + string.Join("\n", platformLog.Lines));
        Assert.Contains("Running without a sandbox, from an empty environment.", platformLog.Lines);
        Assert.Contains(logs.AtLeast(LogLevel.Error), l => l.Contains("partner modules are refused"));
        Assert.False(Directory.Exists(Path.Combine(_root, "work", "partner-1", "dep-choice-partner-1", ".terraform")), "nothing ran for the partner module");
    }

    [TerraformFact]
    public async Task In_development_without_bwrap_partner_modules_run_unsandboxed()
    {
        var log = new RecordingObserver();
        var outcome = await Runner("Development", sandbox: null).RunAsync(Tiny("partner-1"), log, CancellationToken.None);

        Assert.True(outcome.Result == RunResult.Succeeded, outcome.Message + "\n" + string.Join("\n", log.Lines));
        Assert.Contains("Running without a sandbox, from an empty environment.", log.Lines);
    }

    [Fact]
    public async Task Asking_for_bubblewrap_where_there_is_none_refuses_every_run()
    {
        var outcome = await Runner("Production", sandbox: "bubblewrap").RunAsync(Tiny("platform"), new RecordingObserver(), CancellationToken.None);

        Assert.Equal(RunResult.Failed, outcome.Result);
        Assert.True(outcome.Internal);
        Assert.Equal(
            "Deployments:Local:Sandbox is bubblewrap, but bwrap was not found on the PATH. No deployment can run until an operator fixes it (install bubblewrap (Debian package bubblewrap)).",
            outcome.Message);
    }

    [Fact]
    public async Task Sandbox_none_is_logged_as_a_warning_at_start_up()
    {
        var logs = new LogCapture();
        await using var harness = await DeploymentHarness.StartAsync(services: s => s.AddLogging(b => b.AddProvider(logs)));

        Assert.Contains(logs.AtLeast(LogLevel.Warning), l => l.StartsWith("Warning", StringComparison.Ordinal)
            && l.Contains("Deployments:Local:Sandbox is none: Terraform runs, partner modules included, are not sandboxed"));
    }

    [Fact]
    public async Task Without_bwrap_a_production_host_says_at_start_up_that_partner_modules_are_refused()
    {
        var logs = new LogCapture();
        await using var harness = await DeploymentHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Deployments:Local:Sandbox"] = null,
            ["Deployments:Local:SearchPath"] = PathWithoutBubblewrap(),
        }, services: s => s.AddLogging(b => b.AddProvider(logs)));

        Assert.Contains(logs.AtLeast(LogLevel.Error), l => l.Contains("no sandbox for Terraform (bwrap was not found on the PATH): partner modules are refused"));
    }

    [SandboxFact]
    public async Task Where_bwrap_works_it_is_the_default()
    {
        var logs = new LogCapture();
        await using var harness = await DeploymentHarness.StartAsync(new Dictionary<string, string?> { ["Deployments:Local:Sandbox"] = null },
            services: s => s.AddLogging(b => b.AddProvider(logs)));

        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("Terraform runs in a bubblewrap sandbox"));
    }

    [Theory]
    [InlineData("Deployments:Local:Sandbox", "bwrap", "Deployments:Local:Sandbox must be bubblewrap or none, not 'bwrap'.")]
    [InlineData("Deployments:Local:PassEnvironment:0", "HOME", "Deployments:Local:PassEnvironment: HOME is set by the platform for every run and cannot be passed on.")]
    [InlineData("Deployments:Local:PassEnvironment:0", "ARM CLIENT", "Deployments:Local:PassEnvironment: 'ARM CLIENT' is not an environment variable name.")]
    [InlineData("Deployments:Local:PluginMirror", "/nonexistent/partnerbot-mirror", "Deployments:Local:PluginMirror: the folder '/nonexistent/partnerbot-mirror' does not exist.")]
    [InlineData("Deployments:Local:GracePeriod", "02:00:00", "Deployments:Local:GracePeriod must be between 0 and 1 hour.")]
    [InlineData("Deployments:AllowedProviders:0", "not a source", "Deployments:AllowedProviders: 'not a source' is not a provider source or namespace")]
    [InlineData("Deployments:AllowedModuleSources:0", "git::https://example.com/m.git", "Deployments:AllowedModuleSources: 'git::https://example.com/m.git' is not a registry module source")]
    public async Task A_bad_isolation_setting_stops_the_host_naming_the_key(string key, string value, string message)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            DeploymentHarness.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(failure.Failures, f => f.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_host_waits_for_an_interrupted_run_s_grace_period_when_it_stops()
    {
        await using var harness = await DeploymentHarness.StartAsync(new Dictionary<string, string?> { ["Deployments:Local:GracePeriod"] = "00:02:00" });

        Assert.True(harness.Get<IOptions<Microsoft.Extensions.Hosting.HostOptions>>().Value.ShutdownTimeout >= TimeSpan.FromMinutes(2));
    }
}
