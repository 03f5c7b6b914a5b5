using System.ComponentModel.DataAnnotations;

namespace PartnerBot.Api.Deployments;

public enum RunnerKind { Local, GitHubActions }

/// <summary>The <c>Deployments</c> configuration section.</summary>
public sealed class DeploymentOptions
{
    public const string Section = "Deployments";

    /// <summary><c>Deployments:Runner</c>: <c>Local</c> (default) or <c>GitHubActions</c>.</summary>
    public RunnerKind Runner { get; set; } = RunnerKind.Local;

    public LocalRunnerOptions Local { get; set; } = new();
    public GitHubActionsRunnerOptions GitHubActions { get; set; } = new();

    /// <summary><c>Deployments:Timeout</c>: the longest one apply/destroy may run.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Deployments:Timeout must be between 1 second and 1 day.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// <c>Deployments:RequirePlanApproval</c> (default true): a deployment or update waits in PlanReady until its plan is
    /// applied or discarded. Off, the plan summary is posted and the plan applied right away. A destroy always waits.
    /// </summary>
    public bool RequirePlanApproval { get; set; } = true;

    /// <summary><c>Deployments:PlanTtl</c> (default 1 hour): a saved plan older than this is refused ("plan again").</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "Deployments:PlanTtl must be between 1 second and 7 days.")]
    public TimeSpan PlanTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary><c>Deployments:PollInterval</c>: how often the worker looks for queued work.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "Deployments:PollInterval must be between 10 ms and 10 minutes.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary><c>Deployments:LeaseDuration</c>: after this long without a heartbeat a running deployment counts as abandoned.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Deployments:LeaseDuration must be between 100 ms and 1 hour.")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary><c>Deployments:MaxParallel</c>: deployments run at once by this host.</summary>
    [Range(1, 64, ErrorMessage = "Deployments:MaxParallel must be between 1 and 64.")]
    public int MaxParallel { get; set; } = 2;

    /// <summary><c>Deployments:MaxAttempts</c>: runs of one action (a restart resumes it) before it becomes InternalError.</summary>
    [Range(1, 10, ErrorMessage = "Deployments:MaxAttempts must be between 1 and 10.")]
    public int MaxAttempts { get; set; } = 2;

    /// <summary><c>Deployments:LogTailLines</c>: log lines kept in the deployment document (all lines go to log chunks).</summary>
    [Range(10, 2000, ErrorMessage = "Deployments:LogTailLines must be between 10 and 2000.")]
    public int LogTailLines { get; set; } = 200;

    /// <summary><c>Deployments:MaxStateBytes</c>: the largest Terraform state the built-in backend accepts (default 32 MB).</summary>
    [Range(typeof(long), "1024", "1073741824", ErrorMessage = "Deployments:MaxStateBytes must be between 1 KB and 1 GB.")]
    public long MaxStateBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary><c>Deployments:Backend</c>: where runs keep their Terraform state (the built-in <c>http</c> backend by default).</summary>
    public State.TerraformBackendOptions Backend { get; set; } = new();

    /// <summary>
    /// <c>Deployments:AllowedProviders</c>: provider sources or namespaces partner modules may use (e.g. <c>hashicorp/*</c>,
    /// <c>integrations/github</c>); empty means <c>hashicorp/*</c>. Terraform's built-in provider is always allowed.
    /// </summary>
    public List<string> AllowedProviders { get; set; } = [];

    /// <summary><c>Deployments:AllowedModuleSources</c>: registry module sources or namespaces partner modules may call; empty means none.</summary>
    public List<string> AllowedModuleSources { get; set; } = [];
}

/// <summary><c>Deployments:Local:Sandbox</c>: how the Local runner isolates Terraform.</summary>
public enum SandboxMode { Bubblewrap, None }

public sealed class LocalRunnerOptions
{
    /// <summary><c>Deployments:Local:Command</c>: <c>terraform</c> (default), <c>tofu</c>, or a full path.</summary>
    public string Command { get; set; } = "terraform";

    /// <summary><c>Deployments:Local:WorkRoot</c>: where work folders live; default <c>work</c> next to the SQLite file.</summary>
    public string? WorkRoot { get; set; }

    /// <summary><c>Deployments:Local:SearchPath</c>: the PATH used to find and run the command (and <c>bwrap</c>); default the process PATH.</summary>
    public string? SearchPath { get; set; }

    /// <summary>
    /// <c>Deployments:Local:Sandbox</c>: <c>bubblewrap</c> or <c>none</c>. Unset means bubblewrap where <c>bwrap</c> works; without it,
    /// partner modules are refused outside Development.
    /// </summary>
    public string? Sandbox { get; set; }

    /// <summary>The parsed <see cref="Sandbox"/>: null when unset (or not one of the two values, which start-up validation reports).</summary>
    public SandboxMode? SandboxChoice => Sandbox?.Trim().ToLowerInvariant() switch
    {
        "bubblewrap" => SandboxMode.Bubblewrap,
        "none" => SandboxMode.None,
        _ => null,
    };

    /// <summary><c>Deployments:Local:PassEnvironment</c>: names of host environment variables every run gets (cloud credentials).</summary>
    public List<string> PassEnvironment { get; set; } = [];

    /// <summary><c>Deployments:Local:PluginMirror</c>: a provider filesystem mirror; when set, providers come only from it (init works offline).</summary>
    public string? PluginMirror { get; set; }

    /// <summary><c>Deployments:Local:PluginCache</c>: where downloaded providers are kept, one cache per partner; default <c>.plugin-cache</c> in the work root.</summary>
    public string? PluginCache { get; set; }

    /// <summary><c>Deployments:Local:GracePeriod</c>: after an interrupt (cancel, shutdown), how long Terraform may take to save its state before it is killed.</summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(60);
}

public sealed class GitHubActionsRunnerOptions
{
    /// <summary><c>Deployments:GitHubActions:Repository</c>: <c>owner/name</c> holding the deploy workflow.</summary>
    public string Repository { get; set; } = "";

    /// <summary><c>Deployments:GitHubActions:Workflow</c>: workflow file name or id (default <c>deploy.yml</c>).</summary>
    public string Workflow { get; set; } = "partnerbot-deploy.yml";

    /// <summary><c>Deployments:GitHubActions:Ref</c>: branch the workflow runs on.</summary>
    public string Ref { get; set; } = "main";

    /// <summary><c>Deployments:GitHubActions:CallbackSecret</c>: master key from which each deployment's event-signing secret is derived.</summary>
    public string CallbackSecret { get; set; } = "";

    /// <summary>
    /// <c>Deployments:GitHubActions:GitBaseUrl</c> (default <c>https://github.com/</c>): where runs clone module repositories,
    /// <c>{GitBaseUrl}owner/name.git</c> (e.g. a GitHub Enterprise Server address).
    /// </summary>
    public string GitBaseUrl { get; set; } = "https://github.com/";

    /// <summary><c>Deployments:GitHubActions:PollInterval</c>.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>Deployments:GitHubActions:RunLookupTimeout</c>: how long to look for the run a dispatch created.</summary>
    public TimeSpan RunLookupTimeout { get; set; } = TimeSpan.FromMinutes(3);
}
