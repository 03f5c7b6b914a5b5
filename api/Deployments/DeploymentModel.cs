using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PartnerBot.Api.Deployments;

public enum DeploymentAction { Apply, Update, Destroy }

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

    public decimal Cost { get; init; }
    public bool RequirePurchasedCredits { get; init; }
    public bool Charged { get; init; }
    public string? IdempotencyKey { get; init; }

    /// <summary>A runner may pick this deployment up (queued apply/update, or requested destroy).</summary>
    public bool Runnable { get; init; }
    public long RunnableSinceMs { get; init; }
    public DeploymentLease? Lease { get; init; }
    public int Attempts { get; init; }

    public List<string> AppliedEvents { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public long CreatedAtMs { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public string ChargeReference => "deployment:" + Id;
}
