using System.Text.Json.Nodes;

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
    public const string Redacted = "(sensitive)";

    public static DeploymentView From(Deployment d) => new(
        d.Id, d.PartnerId, d.Module.Name, d.Module.Owner, d.State, d.Action, d.Message,
        d.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone()),
        d.ProtectedInputs.Keys.Order(StringComparer.Ordinal).ToList(),
        d.Outputs.ToDictionary(kv => kv.Key, kv => kv.Value.Sensitive ? JsonValue.Create(Redacted) : kv.Value.Value?.DeepClone()),
        d.History, d.Builds, d.LogTail, d.Cost, d.CreatedAt, d.UpdatedAt, d.Conversation?.DeepClone());
}
