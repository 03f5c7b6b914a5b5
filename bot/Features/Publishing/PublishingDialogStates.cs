using System.Text.Json;
using System.Text.Json.Serialization;

namespace PartnerBot.Bot.Features.Publishing;

public enum PublishPhase
{
    /// <summary>Nothing shown yet.</summary>
    Starting,

    /// <summary>The module list and the selection form are showing.</summary>
    Choosing,
}

/// <summary>What the publish dialog remembers between turns.</summary>
public sealed record PublishState
{
    public PublishPhase Phase { get; set; }

    /// <summary>The selection form showing; a press of an older one is refused.</summary>
    public string? FormId { get; set; }

    /// <summary>The commit the list was made from: when the repository moved on, the list is shown again.</summary>
    public string? Sha { get; set; }
}

public enum GitHubSettingsPhase
{
    /// <summary>The token form is showing.</summary>
    Token,

    /// <summary>The repository choice is showing (typed text searches the repositories).</summary>
    Repositories,
}

/// <summary>What the GitHub settings dialog remembers between turns (never the token: it goes straight to its encrypted store).</summary>
public sealed record GitHubSettingsState
{
    public GitHubSettingsPhase Phase { get; set; }

    public string? TokenFormId { get; set; }

    public string? RepositoryFormId { get; set; }

    /// <summary>The repositories the choice offered; only these can be chosen.</summary>
    public List<string> Offered { get; set; } = [];
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(PublishState))]
[JsonSerializable(typeof(GitHubSettingsState))]
internal sealed partial class PublishingStateJson : JsonSerializerContext;
