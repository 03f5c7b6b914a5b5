using PartnerBot.Api.Deployments.Runners.Isolation;

namespace PartnerBot.Tests.Deployments.Isolation;

public sealed class BubblewrapArgumentsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "bwrap-args-" + Guid.NewGuid().ToString("N"));

    public BubblewrapArgumentsTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private SandboxedRun Run(string executable, bool network = false, IReadOnlyList<string>? hidden = null) =>
        new(Path.Combine(_root, "work", "p", "d"), executable, Path.Combine(_root, "cache", "p"), Path.Combine(_root, "mirror"), network, hidden ?? []);

    private static int IndexOfPair(List<string> args, string option, string value)
    {
        for (var i = 0; i < args.Count - 1; i++)
            if (args[i] == option && args[i + 1] == value) return i;
        return -1;
    }

    [Fact]
    public void Every_namespace_is_new_the_root_is_read_only_and_only_the_run_folder_and_cache_are_writable()
    {
        var args = BubblewrapArguments.For(Run("/usr/bin/true"));

        Assert.Contains("--unshare-all", args);
        Assert.DoesNotContain("--share-net", args);
        Assert.Contains("--die-with-parent", args);
        Assert.Contains("--new-session", args);
        Assert.True(IndexOfPair(args, "--cap-drop", "ALL") >= 0);
        Assert.True(IndexOfPair(args, "--ro-bind", "/usr") >= 0);
        Assert.True(IndexOfPair(args, "--proc", "/proc") >= 0);
        Assert.True(IndexOfPair(args, "--ro-bind-try", "/etc/ssl") >= 0);
        Assert.Equal(-1, IndexOfPair(args, "--ro-bind", "/etc"));
        Assert.Equal(-1, IndexOfPair(args, "--ro-bind-try", "/etc/shadow"));
        Assert.Equal([Path.Combine(_root, "cache", "p"), Path.Combine(_root, "work", "p", "d")],
            args.Select((a, i) => (a, i)).Where(p => p.a == "--bind").Select(p => args[p.i + 1]));
        Assert.True(IndexOfPair(args, "--ro-bind", Path.Combine(_root, "mirror")) >= 0);
        Assert.True(IndexOfPair(args, "--tmpfs", "/tmp") < IndexOfPair(args, "--bind", Path.Combine(_root, "work", "p", "d")),
            "the run folder is mounted after the private /tmp, which would otherwise hide it");
        Assert.True(IndexOfPair(args, "--remount-ro", "/") > IndexOfPair(args, "--bind", Path.Combine(_root, "work", "p", "d")));
        Assert.Equal(Path.Combine(_root, "work", "p", "d"), args[args.IndexOf("--chdir") + 1]);
        Assert.DoesNotContain("--setenv", args);
        Assert.DoesNotContain(args, a => a.StartsWith("/usr/bin/true", StringComparison.Ordinal));
    }

    [Fact]
    public void The_network_is_shared_only_when_the_run_needs_it() =>
        Assert.Contains("--share-net", BubblewrapArguments.For(Run("/usr/bin/true", network: true)));

    [Fact]
    public void A_cli_outside_the_system_folders_is_mounted_read_only_with_its_folder()
    {
        var tools = Path.Combine(_root, "tools");
        Directory.CreateDirectory(tools);
        var cli = Path.Combine(tools, "terraform");
        File.WriteAllText(cli, "");

        Assert.True(IndexOfPair(BubblewrapArguments.For(Run(cli)), "--ro-bind", tools) >= 0);
    }

    [Fact]
    public void A_cli_kept_beside_the_bots_own_files_is_mounted_alone_and_bot_folders_under_system_folders_are_covered()
    {
        var app = Path.Combine(_root, "app");
        Directory.CreateDirectory(app);
        var cli = Path.Combine(app, "terraform");
        File.WriteAllText(cli, "");
        File.WriteAllText(Path.Combine(app, "appsettings.json"), "{ \"Stripe\": { \"SecretKey\": \"sk_live_x\" } }");

        var args = BubblewrapArguments.For(Run(cli, hidden: [app, "/usr/share"]));

        Assert.True(IndexOfPair(args, "--ro-bind", cli) >= 0);
        Assert.Equal(-1, IndexOfPair(args, "--ro-bind", app));
        Assert.True(IndexOfPair(args, "--tmpfs", "/usr/share") >= 0);
        Assert.Equal(-1, IndexOfPair(args, "--tmpfs", app)); // not inside a mounted folder: already invisible
    }

    [Fact]
    public void A_linked_cli_has_its_real_file_mounted_too()
    {
        var real = Path.Combine(_root, "opt", "terraform-1.11", "terraform");
        Directory.CreateDirectory(Path.GetDirectoryName(real)!);
        File.WriteAllText(real, "");
        var bin = Path.Combine(_root, "bin");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "terraform"), real);

        var args = BubblewrapArguments.For(Run(Path.Combine(bin, "terraform")));

        Assert.True(IndexOfPair(args, "--ro-bind", bin) >= 0);
        Assert.True(IndexOfPair(args, "--ro-bind", Path.GetDirectoryName(real)!) >= 0);
    }
}
