using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners;
using PartnerBot.Api.Deployments.Runners.Isolation;

namespace PartnerBot.Tests.Deployments.Isolation;

/// <summary>Providers come through the partner's plugin cache; <c>Deployments:Local:PluginMirror</c> makes init work offline.</summary>
public sealed class PluginCacheTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "plugins-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string Platform => "linux_" + (RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64");

    /// <summary>An unpacked filesystem mirror holding one provider package (init installs it; it is never started here).</summary>
    private string Mirror()
    {
        var package = Path.Combine(_root, "mirror", "registry.terraform.io", "hashicorp", "tinyprov", "1.0.0", Platform);
        Directory.CreateDirectory(package);
        var binary = Path.Combine(package, "terraform-provider-tinyprov_v1.0.0");
        File.WriteAllText(binary, "#!/bin/sh\nexit 1\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return Path.Combine(_root, "mirror");
    }

    private const string Module = """
        terraform {
          required_providers {
            tinyprov = {
              source  = "hashicorp/tinyprov"
              version = "1.0.0"
            }
          }
        }
        """;

    private static async Task<(int ExitCode, RecordingObserver Log)> InitAsync(TerraformLauncher launcher, DeploymentWorkFolders folders,
        string partner, string deployment)
    {
        var folder = folders.For(partner, deployment);
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "main.tf"), Module);
        var log = new RecordingObserver();
        var request = new RunRequest(deployment, partner, DeploymentAction.Apply, new ModuleReference("Tiny", "platform"),
            new Dictionary<string, string> { ["main.tf"] = Module }, new JsonObject(), [], 1);
        var prepared = await launcher.PrepareAsync(request, folder, log, CancellationToken.None);
        Assert.Null(prepared.Refusal);
        var result = await prepared.Process!.RunAsync(["init", "-input=false", "-no-color"], CancellationToken.None);
        return (result.ExitCode, log);
    }

    [TerraformFact]
    public async Task With_a_mirror_init_works_offline_and_providers_land_in_the_partner_s_own_cache_for_its_next_runs()
    {
        var (launcher, folders) = LocalRunnerFactory.Launcher(new DeploymentOptions
        {
            Local = new LocalRunnerOptions { WorkRoot = Path.Combine(_root, "work"), PluginMirror = Mirror() },
        });

        var (first, firstLog) = await InitAsync(launcher, folders, "partner-1", "dep-1");
        Assert.True(first == 0, $"exit code {first}\n" + string.Join("\n", firstLog.Lines));
        Assert.Contains(firstLog.Lines, l => l.Contains("Installing hashicorp/tinyprov v1.0.0"));
        var cache = launcher.PluginCacheFor("partner-1");
        Assert.Equal(Path.Combine(_root, "work", ".plugin-cache", "partner-1"), cache);
        Assert.True(Directory.Exists(Path.Combine(cache, "registry.terraform.io", "hashicorp", "tinyprov", "1.0.0", Platform)));

        var (second, secondLog) = await InitAsync(launcher, folders, "partner-1", "dep-2");
        Assert.True(second == 0, $"exit code {second}\n" + string.Join("\n", secondLog.Lines));
        Assert.Contains(secondLog.Lines, l => l.Contains("hashicorp/tinyprov v1.0.0 from the shared cache directory"));

        // Another partner gets a cache of its own: nothing one partner's runs put there reaches another's.
        var (other, otherLog) = await InitAsync(launcher, folders, "partner-2", "dep-3");
        Assert.True(other == 0, $"exit code {other}\n" + string.Join("\n", otherLog.Lines));
        Assert.Contains(otherLog.Lines, l => l.Contains("Installing hashicorp/tinyprov v1.0.0"));
        Assert.True(Directory.Exists(Path.Combine(launcher.PluginCacheFor("partner-2"), "registry.terraform.io", "hashicorp", "tinyprov")));
        Assert.NotEqual(cache, launcher.PluginCacheFor("partner-2"));
    }

    [TerraformFact]
    public async Task With_a_mirror_a_provider_it_lacks_is_not_fetched_from_the_internet()
    {
        var (launcher, folders) = LocalRunnerFactory.Launcher(new DeploymentOptions
        {
            Local = new LocalRunnerOptions { WorkRoot = Path.Combine(_root, "work"), PluginMirror = Mirror() },
        });
        var folder = folders.For("partner-1", "dep-missing");
        Directory.CreateDirectory(folder);
        const string module = "terraform {\n  required_providers {\n    absent = { source = \"hashicorp/absent\" }\n  }\n}\n";
        await File.WriteAllTextAsync(Path.Combine(folder, "main.tf"), module);
        var log = new RecordingObserver();
        var prepared = await launcher.PrepareAsync(new RunRequest("dep-missing", "partner-1", DeploymentAction.Apply,
            new ModuleReference("Tiny", "platform"), new Dictionary<string, string> { ["main.tf"] = module }, new JsonObject(), [], 1),
            folder, log, CancellationToken.None);

        var result = await prepared.Process!.RunAsync(["init", "-input=false", "-no-color"], CancellationToken.None);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(log.Lines, l => l.Contains(Path.Combine(_root, "mirror")) || l.Contains("hashicorp/absent"));
    }
}
