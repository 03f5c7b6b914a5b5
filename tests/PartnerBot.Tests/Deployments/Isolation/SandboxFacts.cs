using Microsoft.Extensions.Hosting;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners.Isolation;

namespace PartnerBot.Tests.Deployments.Isolation;

/// <summary>Whether bubblewrap can build a sandbox on this machine (the answer the runner itself would get).</summary>
public static class Bubblewrap
{
    private static readonly Lazy<SandboxStatus> Status = new(() =>
        RunSandbox.Choose(new LocalRunnerOptions { Sandbox = "bubblewrap" }, LocalRunnerFactory.Environment(Environments.Production)));

    public static bool Works => Status.Value.Sandboxed;

    public static string Problem => Status.Value.Summary;

    /// <summary>A shell script cannot trap SIGINT when the process that started it ignores SIGINT (e.g. a background job).</summary>
    public static bool InterruptIgnoredHere
    {
        get
        {
            if (!OperatingSystem.IsLinux()) return true;
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 0x2) != 0;
        }
    }
}

/// <summary>Facts that need a working <c>bwrap</c> (CI installs it): skipped, with the reason shown, where there is none.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SandboxFactAttribute : FactAttribute
{
    public SandboxFactAttribute()
    {
        if (!Bubblewrap.Works) Skip = "bubblewrap cannot sandbox here, so the sandbox cannot be tested: " + Bubblewrap.Problem;
    }
}

/// <summary>Facts that need the real Terraform CLI and a working <c>bwrap</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SandboxedTerraformFactAttribute : FactAttribute
{
    public SandboxedTerraformFactAttribute()
    {
        if (RealTerraform.Path is null) Skip = "terraform is not on PATH: the real-CLI sandbox test cannot run (install Terraform 1.4+).";
        else if (!Bubblewrap.Works) Skip = "bubblewrap cannot sandbox here, so the sandbox cannot be tested: " + Bubblewrap.Problem;
    }
}

/// <summary>Facts whose stand-in CLI traps SIGINT: they need a process that does not ignore it (and, when sandboxed, bwrap).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class InterruptFactAttribute : FactAttribute
{
    public InterruptFactAttribute(bool sandboxed = true)
    {
        if (Bubblewrap.InterruptIgnoredHere) Skip = "this test process ignores SIGINT (started in the background), so a script it starts cannot trap it.";
        else if (sandboxed && !Bubblewrap.Works) Skip = "bubblewrap cannot sandbox here, so the sandbox cannot be tested: " + Bubblewrap.Problem;
    }
}

/// <summary>Tests that set the bot's secrets in this process's environment: they run alone, after every parallel test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostEnvironmentCollection
{
    public const string Name = "Process environment";
}
