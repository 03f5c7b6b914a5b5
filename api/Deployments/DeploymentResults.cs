using System.Text.Json.Nodes;
using PartnerBot.Api.Catalog;

namespace PartnerBot.Api.Deployments;

/// <summary>A problem with one input (or the whole form when <paramref name="Input"/> is null).</summary>
public sealed record InputError(string? Input, string Message);

/// <summary>Starting a deployment from the chat or the API.</summary>
/// <param name="PartnerId">Whose deployment it is (and who pays).</param>
/// <param name="Viewer">Who asks; decides which catalog modules are visible.</param>
/// <param name="ModuleOwner">Null: the partner's own module of that name first, then the platform's.</param>
/// <param name="Conversation">Opaque conversation reference; status notifications carry it back.</param>
public sealed record StartDeploymentRequest(
    string PartnerId,
    CatalogViewer Viewer,
    string ModuleName,
    JsonObject Inputs,
    string? ModuleOwner = null,
    JsonNode? Conversation = null);

public abstract record StartDeploymentResult
{
    private StartDeploymentResult() { }

    /// <summary>Accepted and charged: Queued, or Waiting while a prerequisite deployment is still running.</summary>
    public sealed record Started(DeploymentView Deployment) : StartDeploymentResult;

    /// <summary>The same idempotency key was used before; nothing new was started or charged.</summary>
    public sealed record Duplicate(DeploymentView Existing) : StartDeploymentResult;

    public sealed record ModuleNotFound(string ModuleName) : StartDeploymentResult;

    /// <summary>Modules named in <c>module_dependency</c> with no successful (or running) deployment of this partner.</summary>
    public sealed record DependencyMissing(IReadOnlyList<string> Missing) : StartDeploymentResult;

    /// <summary><paramref name="Balance"/> is what may be spent on this module (top-up only for <c>require_credit_purchases</c>).</summary>
    public sealed record InsufficientCredits(decimal Cost, decimal Balance, bool PurchasedCreditsRequired) : StartDeploymentResult;

    /// <summary>A reversed payment left the partner's balance below zero: nothing starts until a purchase settles it.</summary>
    public sealed record BalanceOwed(decimal Balance) : StartDeploymentResult;

    public sealed record InvalidInputs(IReadOnlyList<InputError> Errors) : StartDeploymentResult;
}

/// <summary>Outcome of update, delete, purge and cancel.</summary>
public abstract record DeploymentCommandResult
{
    private DeploymentCommandResult() { }
    public sealed record Done(DeploymentView Deployment) : DeploymentCommandResult;
    public sealed record NotFound(string DeploymentId) : DeploymentCommandResult;
    /// <summary>Not possible in the deployment's current state (or for this module), with the reason.</summary>
    public sealed record NotAllowed(string Reason) : DeploymentCommandResult;
    public sealed record InvalidInputs(IReadOnlyList<InputError> Errors) : DeploymentCommandResult;
}
