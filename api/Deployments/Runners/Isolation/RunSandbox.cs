using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PartnerBot.Api.Deployments.Runners.Isolation;

/// <summary>How this host isolates Terraform runs, decided once.</summary>
/// <param name="Bubblewrap">The <c>bwrap</c> to run Terraform under, or null when runs are not sandboxed.</param>
/// <param name="PartnerRefusal">Set when partner modules must not run here (no sandbox outside Development).</param>
/// <param name="Refusal">Set when no run may start (the operator asked for bubblewrap and it does not work).</param>
/// <param name="Summary">One line for the start-up log and each run's log.</param>
public sealed record SandboxStatus(string? Bubblewrap, string? PartnerRefusal, string? Refusal, string Summary, LogLevel Level)
{
    public bool Sandboxed => Bubblewrap is not null;
}

/// <summary>
/// Chooses the sandbox from <c>Deployments:Local:Sandbox</c>: <c>bubblewrap</c>, <c>none</c> (an operator's explicit
/// choice, logged as a warning), or unset: bubblewrap where <c>bwrap</c> is on the search path and can build a sandbox
/// here. Without one, Development runs everything unsandboxed (with a warning) and other environments refuse partner
/// modules; platform modules are trusted and still run, from an empty environment.
/// </summary>
public sealed class RunSandbox(IOptions<DeploymentOptions> options, IHostEnvironment environment, ILogger<RunSandbox> logger)
{
    public const string InstallHint = "install bubblewrap (Debian package bubblewrap)";

    private readonly Lazy<Task<SandboxStatus>> _status = new(() => Task.Run(() => Decide(options.Value.Local, environment, logger)));

    public Task<SandboxStatus> GetStatusAsync(CancellationToken ct) => _status.Value.WaitAsync(ct);

    private static SandboxStatus Decide(LocalRunnerOptions local, IHostEnvironment environment, ILogger logger)
    {
        var status = Choose(local, environment);
        logger.Log(status.Level, "Terraform sandbox: {Summary}", status.Summary);
        return status;
    }

    internal static SandboxStatus Choose(LocalRunnerOptions local, IHostEnvironment environment)
    {
        if (local.SandboxChoice == SandboxMode.None)
            return new SandboxStatus(null, null, null,
                "Deployments:Local:Sandbox is none: Terraform runs, partner modules included, are not sandboxed (they still start from an empty environment).",
                LogLevel.Warning);

        var (bubblewrap, problem) = FindWorkingBubblewrap(local.SearchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "");
        if (bubblewrap is not null)
            return new SandboxStatus(bubblewrap, null, null, $"Terraform runs in a bubblewrap sandbox ({bubblewrap}).", LogLevel.Information);

        if (local.SandboxChoice == SandboxMode.Bubblewrap)
            return new SandboxStatus(null, null,
                $"Deployments:Local:Sandbox is bubblewrap, but {problem}. No deployment can run until an operator fixes it ({InstallHint}).",
                $"Deployments:Local:Sandbox is bubblewrap, but {problem}: every run is refused.", LogLevel.Error);

        if (environment.IsDevelopment())
            return new SandboxStatus(null, null, null,
                $"no sandbox for Terraform ({problem}); in Development runs are not sandboxed. To sandbox them, {InstallHint}.",
                LogLevel.Warning);

        return new SandboxStatus(null,
            $"This server cannot run partner modules: it has no sandbox for Terraform ({problem}). An operator must {InstallHint}, or set Deployments:Local:Sandbox to none.",
            null,
            $"no sandbox for Terraform ({problem}): partner modules are refused; platform modules run unsandboxed. To fix it, {InstallHint}, or set Deployments:Local:Sandbox to none.",
            LogLevel.Error);
    }

    /// <summary>The <c>bwrap</c> on the search path when a sandbox starts with it here; otherwise why not.</summary>
    private static (string? Path, string Problem) FindWorkingBubblewrap(string searchPath)
    {
        if (!OperatingSystem.IsLinux()) return (null, "bubblewrap runs only on Linux");
        var bubblewrap = ExecutableLocator.Find("bwrap", searchPath);
        if (bubblewrap is null) return (null, "bwrap was not found on the PATH");

        var start = new ProcessStartInfo(bubblewrap)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in BubblewrapArguments.Probe(bubblewrap)) start.ArgumentList.Add(argument);
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(bubblewrap);
        start.ArgumentList.Add("--version");
        start.Environment.Clear();
        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                return (null, "bwrap did not answer within 30 seconds");
            }
            if (process.ExitCode == 0) return (bubblewrap, "");
            var reason = error.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            return (null, $"bwrap cannot build a sandbox on this host ({reason ?? "exit code " + process.ExitCode})");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, $"bwrap could not be started ({e.Message})");
        }
    }
}

/// <summary>Decides (and logs) the sandbox when the host starts, not at the first deployment.</summary>
internal sealed class SandboxStartupCheck(RunSandbox sandbox, IOptions<DeploymentOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Runner == RunnerKind.Local) await sandbox.GetStatusAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
