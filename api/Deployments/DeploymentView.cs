using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments.Versions;

namespace PartnerBot.Api.Deployments;

/// <summary>
/// A deployment as callers see it (API and chat): sensitive inputs appear only by name, sensitive outputs only as
/// <c>(sensitive)</c>.
/// </summary>
public sealed record DeploymentView(
    string Id,
    string PartnerId,
    string ModuleName,
    string ModuleOwner,
    DeploymentState State,
    DeploymentAction Action,
    string? Message,
    IReadOnlyDictionary<string, JsonNode?> Inputs,
    IReadOnlyList<string> SensitiveInputs,
    IReadOnlyDictionary<string, JsonNode?> Outputs,
    IReadOnlyList<StateChange> History,
    IReadOnlyList<DeploymentBuild> Builds,
    IReadOnlyList<string> LogTail,
    decimal Cost,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    JsonNode? Conversation)
{
    /// <summary>The module version the deployment runs.</summary>
    public ModuleVersion? Version { get; init; }

    /// <summary>The plan waiting for Apply or Discard (PlanReady), or being applied.</summary>
    public PlanView? Plan { get; init; }

    /// <summary>The next run applies the approved plan (rather than planning).</summary>
    public DeploymentStep Step { get; init; }

    /// <summary>Resource addresses in the state after the last apply.</summary>
    public IReadOnlyList<string> Resources { get; init; } = [];

    /// <summary>When the first apply started and the reserved credits were charged; null while they are only reserved.</summary>
    public DateTimeOffset? ChargedAt { get; init; }

    /// <summary>Credits given back because the deployment ended before its apply (null: none).</summary>
    public decimal? Refunded { get; init; }

    /// <summary>An update of inputs or module version waiting to be applied.</summary>
    public bool UpdatePending { get; init; }

    public const string Redacted = "(sensitive)";

    public static DeploymentView From(Deployment d) => new(
        d.Id, d.PartnerId, d.Module.Name, d.Module.Owner, d.State, d.Action, d.Message,
        d.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone()),
        d.ProtectedInputs.Keys.Order(StringComparer.Ordinal).ToList(),
        d.Outputs.ToDictionary(kv => kv.Key, kv => kv.Value.Sensitive ? JsonValue.Create(Redacted) : kv.Value.Value?.DeepClone()),
        d.History, d.Builds, d.LogTail, d.Cost, d.CreatedAt, d.UpdatedAt, d.Conversation?.DeepClone())
    {
        Version = d.Version,
        Plan = d.Plan is { } plan ? PlanView.From(plan) : null,
        Step = d.Step,
        Resources = d.Resources,
        ChargedAt = d.ChargedAt,
        Refunded = d.Refunded ?? (d.RefundDue ? d.Cost : null),
        UpdatePending = d.Pending is not null,
    };
}

/// <summary>A saved plan as callers see it: the summary text, the addresses by action, and its module version.</summary>
public sealed record PlanView(
    string Id,
    DeploymentAction Action,
    DateTimeOffset CreatedAt,
    string Summary,
    int Add,
    int Change,
    int Destroy,
    IReadOnlyList<string> Creates,
    IReadOnlyList<string> Updates,
    IReadOnlyList<string> Replaces,
    IReadOnlyList<string> Deletes,
    string? ModuleVersion)
{
    public static PlanView From(DeploymentPlan plan) => new(plan.Id, plan.Action, plan.CreatedAt, plan.Summary.Text,
        plan.Summary.Add, plan.Summary.Change, plan.Summary.Destroy, plan.Summary.Creates, plan.Summary.Updates,
        plan.Summary.Replaces, plan.Summary.Deletes, plan.Version?.Short);
}
