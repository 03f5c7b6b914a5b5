using System.Diagnostics;
using System.Text;
using PartnerBot.Api.Deployments.Runners.Isolation;
using PartnerBot.Api.Telemetry;

namespace PartnerBot.Api.Deployments.Runners;

/// <summary>Finds a command the way a shell would, in a given PATH.</summary>
public static class ExecutableLocator
{
    public static string? Find(string command, string searchPath)
    {
        if (string.IsNullOrWhiteSpace(command)) return null;
        if (command.Contains(Path.DirectorySeparatorChar) || command.Contains(Path.AltDirectorySeparatorChar))
            return IsExecutable(command) ? Path.GetFullPath(command) : null;
        var extensions = OperatingSystem.IsWindows() ? new[] { ".exe", ".cmd", ".bat", "" } : [""];
        foreach (var folder in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(folder, command + extension);
                if (IsExecutable(candidate)) return candidate;
            }
        return null;
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path)) return false;
        if (OperatingSystem.IsWindows()) return true;
        return (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }
}

internal sealed record ProcessResult(int ExitCode, string StandardOutput, string? LastError);

/// <summary>The sandbox program (bubblewrap) and its arguments up to the command.</summary>
public sealed record SandboxCommand(string Program, IReadOnlyList<string> Arguments);

/// <summary>How every CLI invocation of one run starts.</summary>
/// <param name="Environment">The whole environment of the CLI: nothing of the bot's own is added (see <see cref="RunEnvironment"/>).</param>
/// <param name="Sandbox">The sandbox to run the CLI in, or null to run it directly.</param>
/// <param name="GracePeriod">After an interrupt, how long the CLI may take to stop before it is killed.</param>
public sealed record TerraformLaunch(
    string Executable,
    string WorkFolder,
    IReadOnlyDictionary<string, string> Environment,
    SandboxCommand? Sandbox,
    TimeSpan GracePeriod);

/// <summary>
/// One CLI invocation with both streams forwarded line by line to the run's log. Cancelling interrupts the CLI (SIGINT,
/// as Ctrl+C does) so it can save its state and release its lock, waits up to the grace period, then kills the whole
/// process tree. Built by <see cref="TerraformLauncher"/>.
/// </summary>
internal sealed class TerraformProcess(TerraformLaunch launch, IRunObserver observer)
{
    public TerraformLaunch Launch => launch;

    public async Task<ProcessResult> RunAsync(string[] arguments, CancellationToken ct, bool captureStandardOutput = false)
    {
        var start = new ProcessStartInfo(launch.Sandbox?.Program ?? launch.Executable)
        {
            WorkingDirectory = launch.WorkFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (launch.Sandbox is { } sandbox)
        {
            foreach (var argument in sandbox.Arguments) start.ArgumentList.Add(argument);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(launch.Executable);
        }
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment.Clear();
        foreach (var (name, value) in launch.Environment) start.Environment[name] = value;

        // Only the command word: later arguments can name files, never values, but the span needs no more.
        using var activity = DeploymentTelemetry.StartCommand(Path.GetFileName(launch.Executable), arguments.FirstOrDefault() ?? "");
        await observer.LogAsync($"$ {Path.GetFileName(launch.Executable)} {string.Join(' ', arguments)}", ct);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        process.StandardInput.Close(); // never a prompt: -input=false, and nothing to read
        var captured = new StringBuilder();
        string? lastError = null;
        var gate = new SemaphoreSlim(1, 1);

        async Task Pump(StreamReader reader, bool isError)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                if (captureStandardOutput && !isError) { captured.AppendLine(line); continue; }
                if (line.TrimStart().StartsWith("Error:", StringComparison.Ordinal)) lastError ??= line.Trim();
                await gate.WaitAsync(CancellationToken.None);
                try { await observer.LogAsync(line, CancellationToken.None); }
                finally { gate.Release(); }
            }
        }

        var pumps = Task.WhenAll(Pump(process.StandardOutput, false), Pump(process.StandardError, true));
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            await StopAsync(process);
            await DrainAsync(pumps);
            throw;
        }
        await DrainAsync(pumps);
        activity?.SetTag("process.exit.code", process.ExitCode);
        return new ProcessResult(process.ExitCode, captured.ToString(), lastError);
    }

    /// <summary>The time output may still arrive after the CLI exited.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reads the rest of the output. Without a sandbox a process the CLI started may outlive it and hold its output
    /// open; then the run goes on without it instead of waiting forever (in the sandbox such processes die with it).
    /// </summary>
    private async Task DrainAsync(Task pumps)
    {
        try
        {
            await pumps.WaitAsync(DrainTimeout);
        }
        catch (TimeoutException)
        {
            _ = pumps.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            await observer.LogAsync($"{Path.GetFileName(launch.Executable)} exited, but a process it started still holds its output open; it is no longer read.",
                CancellationToken.None);
        }
    }

    private async Task StopAsync(Process process)
    {
        if (launch.GracePeriod > TimeSpan.Zero && Interrupt(process))
        {
            await observer.LogAsync($"Interrupted {Path.GetFileName(launch.Executable)}; waiting up to {launch.GracePeriod} for it to save its state and stop.",
                CancellationToken.None);
            using var grace = new CancellationTokenSource(launch.GracePeriod);
            try
            {
                await process.WaitForExitAsync(grace.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                await observer.LogAsync($"{Path.GetFileName(launch.Executable)} did not stop within {launch.GracePeriod}; killing it.", CancellationToken.None);
            }
        }
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* already exited */ }
        await process.WaitForExitAsync(CancellationToken.None);
    }

    /// <summary>
    /// SIGINT to the CLI. In the sandbox, to the sandbox's process group: its init ignores it (an init process only
    /// receives signals it handles), the CLI and its providers get it as from a terminal. Without one, to the CLI alone,
    /// which shares the bot's process group.
    /// </summary>
    private bool Interrupt(Process process)
    {
        try
        {
            if (process.HasExited) return false;
            if (launch.Sandbox is null) return ProcessSignals.Interrupt(process.Id);
            var groups = ProcessSignals.ChildGroupLeaders(process.Id);
            return groups.Count > 0 && groups.Aggregate(false, (sent, group) => ProcessSignals.InterruptGroup(group) | sent);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
