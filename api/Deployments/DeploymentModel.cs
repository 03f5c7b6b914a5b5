using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PartnerBot.Api.Deployments.Versions;

namespace PartnerBot.Api.Deployments;

public enum DeploymentAction { Apply, Update, Destroy }

/// <summary>What the next run of a runnable deployment does: make a plan, or apply the approved one.</summary>
public enum DeploymentStep { Plan, Apply }

/// <summary>
/// What a plan will do, read from <c>terraform show -json</c> of the saved plan: counts as Terraform prints them
/// (a replacement counts as one add and one destroy) and the resource addresses grouped by action.
/// </summary>
public sealed record PlanSummary(
    int Add,
    int Change,
    int Destroy,
    IReadOnlyList<string> Creates,
    IReadOnlyList<string> Updates,
    IReadOnlyList<string> Replaces,
    IReadOnlyList<string> Deletes)
{
    public static PlanSummary Empty { get; } = new(0, 0, 0, [], [], [], []);

    public bool HasChanges => Add + Change + Destroy > 0;

    /// <summary><c>N to add, M to change, K to destroy</c>.</summary>
    public string Text => $"{Add} to add, {Change} to change, {Destroy} to destroy";
}

/// <summary>
/// A saved plan waiting to be applied. Its binary (which holds variable values) is kept encrypted in the store by
/// <see cref="DeploymentPlans"/>, so any host can apply it.
/// </summary>
/// <param name="StateSerial">The state version the plan was made against; a newer one makes it stale.</param>
public sealed record DeploymentPlan(
    string Id,
    DeploymentAction Action,
    DateTimeOffset CreatedAt,
    PlanSummary Summary,
    ModuleVersion? Version,
    long? StateSerial = null,
    string? StateLineage = null);

/// <summary>An update waiting for its plan to be applied: the inputs and module version it applies.</summary>
public sealed record PendingUpdate(
    Dictionary<string, JsonNode?> Inputs,
    Dictionary<string, string> ProtectedInputs,
    ModuleVersion? Version);

/// <summary>Which catalog entry a deployment runs: <paramref name="Owner"/> is <c>platform</c> or the owning partner's id.</summary>
public sealed record ModuleReference(string Name, string Owner);

public sealed record StateChange(int Sequence, DeploymentState State, DateTimeOffset At, string? Message, string By);

/// <summary>One Terraform output. A sensitive value is kept only encrypted, in <paramref name="ProtectedValue"/>.</summary>
public sealed record DeploymentOutput(JsonNode? Value, bool Sensitive, JsonNode? Type = null, string? ProtectedValue = null);

/// <summary>One runner execution (apply, update or destroy).</summary>
public sealed record DeploymentBuild(
    int Number,
    DeploymentAction Action,
    string Runner,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt = null,
    DeploymentState? Result = null,
    string? ExternalRunId = null,
    string? ExternalRunUrl = null);

/// <summary>The runner holding a deployment; an expired lease means its host stopped.</summary>
public sealed record DeploymentLease(string Owner, long UntilMs);

/// <summary>
/// A deployment as stored (container <c>deployments</c>, partition = partner id). Sensitive inputs live only in
/// <see cref="ProtectedInputs"/> (encrypted with ASP.NET Core Data Protection) and are never returned by the API.
/// </summary>
public sealed record Deployment
{
    public string Type { get; init; } = "deployment";
    [JsonPropertyName("deploymentId")] public required string Id { get; init; }
    public required string PartnerId { get; init; }
    public required string CreatedBy { get; init; }
    public required ModuleReference Module { get; init; }
    public DeploymentState State { get; init; } = DeploymentState.Queued;
    public DeploymentAction Action { get; init; } = DeploymentAction.Apply;
    public string? Message { get; init; }

    public Dictionary<string, JsonNode?> Inputs { get; init; } = [];
    public Dictionary<string, string> ProtectedInputs { get; init; } = [];
    public Dictionary<string, DeploymentOutput> Outputs { get; init; } = [];

    public List<StateChange> History { get; init; } = [];
    public int Sequence { get; init; }
    /// <summary>The latest state change still has to be copied to the notification outbox.</summary>
    public bool OutboxPending { get; init; }

    public List<string> LogTail { get; init; } = [];
    public int LogChunks { get; init; }
    public long LogLines { get; init; }
    public List<DeploymentBuild> Builds { get; init; } = [];

    /// <summary>Opaque conversation reference from the chat side, to post status into the originating conversation.</summary>
    public JsonNode? Conversation { get; init; }

    /// <summary>Modules (by name) this one needs a successful deployment of; a Waiting deployment waits for them.</summary>
    public List<string> Dependencies { get; init; } = [];

    /// <summary>The module version this deployment runs (update, destroy and purge use it, not the catalog).</summary>
    public ModuleVersion? Version { get; init; }
    /// <summary>An update's new inputs and version, applied to <see cref="Inputs"/> and <see cref="Version"/> once it succeeds.</summary>
    public PendingUpdate? Pending { get; init; }
    /// <summary>The saved plan of the current action (set from Planning until it is applied, discarded or expired).</summary>
    public DeploymentPlan? Plan { get; init; }
    /// <summary>The next run plans, or applies <see cref="Plan"/>.</summary>
    public DeploymentStep Step { get; init; } = DeploymentStep.Plan;
    /// <summary>Where an update or destroy returns to when its plan is discarded or expires.</summary>
    public DeploymentState? ResumeState { get; init; }
    /// <summary>The resource addresses in the state after the last apply (what a destroy would remove).</summary>
    public List<string> Resources { get; init; } = [];

    public decimal Cost { get; init; }
    public bool RequirePurchasedCredits { get; init; }
    /// <summary>The partner confirmed: <see cref="Cost"/> is reserved (taken from the balance with <see cref="ChargeReference"/>).</summary>
    public bool Charged { get; init; }
    /// <summary>When the first apply started: from then on the reserved credits are kept, whatever the apply's outcome.</summary>
    public DateTimeOffset? ChargedAt { get; init; }
    /// <summary>The deployment ended before any apply: its reservation is to be given back (once, <see cref="RefundReference"/>).</summary>
    public bool RefundDue { get; init; }
    /// <summary>Credits given back; set once the ledger has the refund.</summary>
    public decimal? Refunded { get; init; }
    public string? IdempotencyKey { get; init; }

    /// <summary>A runner may pick this deployment up (queued apply/update, or requested destroy).</summary>
    public bool Runnable { get; init; }
    public long RunnableSinceMs { get; init; }
    public DeploymentLease? Lease { get; init; }
    public int Attempts { get; init; }

    public List<string> AppliedEvents { get; init; } = [];
    /// <summary>W3C traceparent of the turn or request that last made this deployment runnable; its runs continue that trace.</summary>
    public string? TraceParent { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public long CreatedAtMs { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public string ChargeReference => "deployment:" + Id;

    public string RefundReference => "refund:" + ChargeReference;
}
