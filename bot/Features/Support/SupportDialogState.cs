using System.Text.Json;
using System.Text.Json.Serialization;

namespace PartnerBot.Bot.Features.Support;

public enum SupportRequestPhase
{
    /// <summary>The request form is showing.</summary>
    Form,
}

/// <summary>One of the user's deployments the request form offers.</summary>
public sealed record SupportDeploymentChoice(string Id, string Title, string Module, string? Owner);

/// <summary>What the support request dialog remembers between turns.</summary>
public sealed record SupportRequestState
{
    public SupportRequestPhase Phase { get; set; }

    /// <summary>The deployments the form offered; only these can be named in the request.</summary>
    public List<SupportDeploymentChoice> Deployments { get; set; } = [];
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(SupportRequestState))]
internal sealed partial class SupportStateJson : JsonSerializerContext;
