namespace PartnerBot.Tests.Deployments.Isolation;

/// <summary>
/// A shell script configured as <c>Deployments:Local:Command</c> in place of Terraform, in its own folder: it answers
/// <c>init</c>, <c>plan</c>, <c>show</c> and <c>output</c> and runs the script given for <c>apply</c>, so a test can watch what a run may do
/// inside the sandbox and how it is stopped.
/// </summary>
public sealed class StandInCli : IDisposable
{
    /// <param name="apply">The <c>apply</c> script, given <see cref="Token"/> to mark the processes it starts.</param>
    public StandInCli(Func<string, string> apply)
    {
        Folder = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "stand-in-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        ScriptPath = Path.Combine(Folder, "terraform");
        // plan writes the saved plan file it is asked for and reports one change; show describes it.
        const string plan = "  plan) for a in \"$@\"; do case \"$a\" in -out=*) echo plan > \"${a#-out=}\" ;; esac; done; exit 2 ;;\n";
        const string show = "  show) echo '{\"format_version\":\"1.2\",\"resource_changes\":[{\"address\":\"terraform_data.thing\",\"change\":{\"actions\":[\"create\"]}}]}' ;;\n";
        var script = "#!/bin/sh\ncase \"$1\" in\n  init) echo \"Terraform has been successfully initialized!\" ;;\n  output) echo '{}' ;;\n" + plan + show + "  apply)\n"
                     + apply(Token).Replace("\r\n", "\n") + "\n    ;;\n  *) echo \"Error: unknown command $1\" >&2; exit 1 ;;\nesac\n";
        File.WriteAllText(ScriptPath, script);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(ScriptPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Folder { get; }
    /// <summary>The script, to configure as <c>Deployments:Local:Command</c>.</summary>
    public string ScriptPath { get; }

    /// <summary>A string no other process has on its command line: a child started with it can be found in /proc.</summary>
    public string Token { get; } = "stand-in-child-" + Guid.NewGuid().ToString("N");

    /// <summary>Processes (on the host) whose command line holds <see cref="Token"/>.</summary>
    public IReadOnlyList<int> ProcessesWithToken()
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(Token, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return found;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
