using System.Globalization;
using System.Runtime.InteropServices;

namespace PartnerBot.Api.Deployments.Runners.Isolation;

/// <summary>
/// Interrupting a process the way Ctrl+C does, so Terraform saves its state and releases its lock before it exits.
/// <see cref="System.Diagnostics.Process.Kill()"/> only sends SIGKILL; here <c>kill(2)</c> sends SIGINT.
/// </summary>
internal static class ProcessSignals
{
    private const int SigInt = 2;

    public static bool CanInterrupt => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    /// <summary>Sends SIGINT to one process.</summary>
    public static bool Interrupt(int pid) => CanInterrupt && Kill(pid, SigInt) == 0;

    /// <summary>Sends SIGINT to every process of a process group (Terraform and its provider plugins, as a terminal does).</summary>
    public static bool InterruptGroup(int processGroup) => CanInterrupt && processGroup > 1 && Kill(-processGroup, SigInt) == 0;

    /// <summary>
    /// The process groups led by children of <paramref name="pid"/>. Bubblewrap's <c>--new-session</c> makes the sandbox's
    /// first process (its init) the leader of a new session and group holding the CLI and everything it starts.
    /// </summary>
    public static IReadOnlyList<int> ChildGroupLeaders(int pid)
    {
        var leaders = new List<int>();
        if (!OperatingSystem.IsLinux()) return leaders;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate)) continue;
            if (ReadStat(candidate) is { } stat && stat.ParentId == pid && stat.ProcessGroup == candidate) leaders.Add(candidate);
        }
        return leaders;
    }

    /// <summary>Parent and process group from <c>/proc/PID/stat</c> (the command name may hold spaces and parentheses).</summary>
    internal static (int ParentId, int ProcessGroup)? ReadStat(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        var end = text.LastIndexOf(')');
        if (end < 0) return null;
        var fields = text[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 3) return null;
        return int.TryParse(fields[1], CultureInfo.InvariantCulture, out var parent) && int.TryParse(fields[2], CultureInfo.InvariantCulture, out var group)
            ? (parent, group)
            : null;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
