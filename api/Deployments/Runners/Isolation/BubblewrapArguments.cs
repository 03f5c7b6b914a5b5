namespace PartnerBot.Api.Deployments.Runners.Isolation;

/// <summary>What one sandboxed run may see and touch.</summary>
/// <param name="Executable">The Terraform CLI as found on the search path (its real file is made visible too).</param>
/// <param name="PluginCache">The partner's provider cache: writable, because <c>terraform init</c> fills it.</param>
/// <param name="Network">Share the host's network (providers and registry modules download and call cloud APIs).</param>
/// <param name="HiddenPaths">The bot's own folders (program, data, work root): covered with an empty folder where they lie inside a visible one.</param>
public sealed record SandboxedRun(
    string WorkFolder,
    string Executable,
    string PluginCache,
    string? PluginMirror,
    bool Network,
    IReadOnlyList<string> HiddenPaths);

/// <summary>
/// The bubblewrap command line of a run. The sandbox starts from an empty, read-only root: the system folders and the
/// few <c>/etc</c> files Terraform needs (certificates, name resolution, users, time zone) are mounted read-only; the
/// run folder and the partner's plugin cache are the only writable host paths; <c>/tmp</c> and <c>/proc</c> are private; every
/// namespace is new (the network only when the run needs it); no capability is kept; the sandbox dies with the bot
/// and runs in its own session (so it cannot reach a terminal). The environment is not on the command line, where any
/// local user could read it: the process starts with exactly the run's environment and bubblewrap passes it on.
/// </summary>
public static class BubblewrapArguments
{
    /// <summary>Folders mounted read-only from the host (a symbolic link is recreated as one, e.g. <c>/bin → usr/bin</c>).</summary>
    public static IReadOnlyList<string> SystemFolders { get; } = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

    /// <summary>The <c>/etc</c> entries Terraform and its providers use; the rest of <c>/etc</c> (secrets, host configuration) stays out.</summary>
    public static IReadOnlyList<string> EtcEntries { get; } =
    [
        "/etc/ssl", "/etc/pki", "/etc/ca-certificates", "/etc/ca-certificates.conf", "/etc/resolv.conf", "/etc/hosts",
        "/etc/host.conf", "/etc/nsswitch.conf", "/etc/gai.conf", "/etc/services", "/etc/protocols", "/etc/passwd",
        "/etc/group", "/etc/localtime", "/etc/timezone", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
        "/etc/alternatives", "/etc/mime.types",
    ];

    public const string Hostname = "partnerbot-run";

    /// <summary>The arguments before <c>--</c> and the command.</summary>
    public static List<string> For(SandboxedRun run)
    {
        var args = Isolation(run.Network);
        var visible = System(args);

        var hiddenPaths = run.HiddenPaths.Where(Directory.Exists).Select(RealPath).Distinct(StringComparer.Ordinal).ToList();
        foreach (var hidden in hiddenPaths)
            if (visible.Any(root => IsStrictlyInside(hidden, root)))
                args.AddRange(["--tmpfs", hidden]);

        foreach (var path in ExecutablePaths(run.Executable))
        {
            var folder = Path.GetDirectoryName(path)!;
            if (visible.Any(root => IsInside(RealPath(folder), root))) continue;
            // Mount the CLI's folder, unless the bot's own files are in it: then only the file.
            var share = hiddenPaths.Any(h => IsInside(h, RealPath(folder)) || IsInside(RealPath(folder), h)) ? path : folder;
            args.AddRange(["--ro-bind", share, share]);
        }

        if (run.PluginMirror is { Length: > 0 } mirror) args.AddRange(["--ro-bind", Full(mirror), Full(mirror)]);
        args.AddRange(["--bind", Full(run.PluginCache), Full(run.PluginCache)]);
        args.AddRange(["--bind", Full(run.WorkFolder), Full(run.WorkFolder)]);
        args.AddRange(["--remount-ro", "/", "--chdir", Full(run.WorkFolder)]);
        return args;
    }

    /// <summary>A sandbox with nothing but the system folders, to check bubblewrap works on this host.</summary>
    public static List<string> Probe(string bubblewrap)
    {
        var args = Isolation(network: false);
        var visible = System(args);
        foreach (var path in ExecutablePaths(bubblewrap))
            if (!visible.Any(root => IsInside(RealPath(Path.GetDirectoryName(path)!), root)))
                args.AddRange(["--ro-bind", path, path]);
        args.AddRange(["--remount-ro", "/"]);
        return args;
    }

    private static List<string> Isolation(bool network)
    {
        var args = new List<string> { "--unshare-all" };
        if (network) args.Add("--share-net");
        args.AddRange(["--die-with-parent", "--new-session", "--cap-drop", "ALL", "--hostname", Hostname]);
        return args;
    }

    /// <summary>Adds the system mounts, <c>/proc</c>, <c>/dev</c> and <c>/tmp</c>; returns the real folders now visible.</summary>
    private static List<string> System(List<string> args)
    {
        var visible = new List<string>();
        foreach (var folder in SystemFolders)
        {
            var info = new DirectoryInfo(folder);
            if (!info.Exists) continue;
            if (info.LinkTarget is { } target) args.AddRange(["--symlink", target, folder]);
            else
            {
                args.AddRange(["--ro-bind", folder, folder]);
                visible.Add(folder);
            }
        }
        foreach (var entry in EtcEntries) args.AddRange(["--ro-bind-try", entry, entry]);
        args.AddRange(["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]);
        return visible;
    }

    /// <summary>The CLI as found and, when that is a link, the file it points to.</summary>
    private static IEnumerable<string> ExecutablePaths(string executable)
    {
        var located = Full(executable);
        yield return located;
        var real = RealPath(located);
        if (real != located) yield return real;
    }

    /// <summary>The path with every symbolic link along it resolved (what the mount table sees).</summary>
    internal static string RealPath(string path)
    {
        var current = "/";
        var pending = new Stack<string>(Full(path).Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        for (var links = 0; pending.TryPop(out var part);)
        {
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is { } target && links++ < 40)
            {
                foreach (var piece in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.Push(piece);
                if (target.StartsWith('/')) current = "/";
                continue;
            }
            current = next;
        }
        return current;
    }

    private static string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static bool IsInside(string path, string folder) =>
        path == folder || path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);

    private static bool IsStrictlyInside(string path, string folder) => path != folder && IsInside(path, folder);
}
