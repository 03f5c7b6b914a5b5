using System.Text.Json;
using System.Text.Json.Serialization;
using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bot.Features.Deployments;

public enum DeployPhase
{
    /// <summary>Browsing the catalog (typed text searches it).</summary>
    Catalog,

    /// <summary>Filling in the module's form.</summary>
    Form,

    /// <summary>Checks failed (a dependency is missing, credits are short); the card says what to do.</summary>
    Blocked,

    /// <summary>The confirmation card is showing; its Deploy button starts the deployment.</summary>
    Confirm,
}

/// <summary>What the deploy dialog remembers between turns.</summary>
public sealed record DeployState
{
    public DeployPhase Phase { get; set; }

    /// <summary>The catalog tab shown (<c>platform</c> or <c>partner</c>).</summary>
    public string? Tab { get; set; }

    public string? Module { get; set; }

    /// <summary>The owner of a partner module, or null for a platform module.</summary>
    public string? Owner { get; set; }

    public FormState Form { get; set; } = new();

    /// <summary>The id of the confirmation card showing; a press of another card is not this confirmation.</summary>
    public string? ConfirmId { get; set; }
}

public enum DeploymentsPhase
{
    /// <summary>Lists, details and actions; typed text filters the list by status.</summary>
    Browsing,

    /// <summary>The update form of <see cref="DeploymentsState.DeploymentId"/> is open.</summary>
    Update,
}

/// <summary>What the deployments dialog remembers between turns.</summary>
public sealed record DeploymentsState
{
    public DeploymentsPhase Phase { get; set; }

    public string? DeploymentId { get; set; }

    public FormState Form { get; set; } = new();
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(DeployState))]
[JsonSerializable(typeof(DeploymentsState))]
internal sealed partial class DeploymentStateJson : JsonSerializerContext;
