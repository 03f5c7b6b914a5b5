using System.Diagnostics;
using System.Text;

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

/// <summary>One CLI invocation with both streams forwarded line by line to the run's log.</summary>
internal sealed class TerraformProcess(string executable, string workFolder, string searchPath, IRunObserver observer)
{
    public async Task<ProcessResult> RunAsync(string[] arguments, CancellationToken ct, bool captureStandardOutput = false)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["PATH"] = searchPath;
        start.Environment["TF_IN_AUTOMATION"] = "1";
        start.Environment["TF_INPUT"] = "0";
        start.Environment["CHECKPOINT_DISABLE"] = "1";

        await observer.LogAsync($"$ {Path.GetFileName(executable)} {string.Join(' ', arguments)}", ct);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
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
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { /* already exited */ }
            await process.WaitForExitAsync(CancellationToken.None);
            await pumps;
            throw;
        }
        await pumps;
        return new ProcessResult(process.ExitCode, captured.ToString(), lastError);
    }
}
