using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PartnerBot.Api.Modules.Hcl;

namespace PartnerBot.Api.Modules;

/// <summary>A Terraform module folder as the platform sees it (shape of <c>module inspect --json</c>).</summary>
public sealed record TerraformModule(
    string Name,
    bool Valid,
    IReadOnlyList<string> Problems,
    ModuleMetadata Metadata,
    IReadOnlyList<ModuleVariable> Variables);

/// <summary>The ten metadata variables, read from their defaults.</summary>
public sealed record ModuleMetadata(
    string? Description,
    string? Documentation,
    IReadOnlyList<string> Dependencies,
    IReadOnlyList<string> Services,
    decimal CreditCost,
    bool RequireCreditPurchases,
    bool? PublicAccess,
    bool? EnablePurge,
    IReadOnlyList<string> SharedUsers,
    IReadOnlyList<string> TechnicalSupportUsers)
{
    public static ModuleMetadata Empty { get; } = new(null, null, [], [], 0m, false, null, null, [], []);

    /// <summary>The variable names that carry metadata and are never shown to a partner as inputs.</summary>
    public static IReadOnlySet<string> VariableNames { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "module_description", "module_documentation", "module_dependency", "module_services", "credit_cost",
        "require_credit_purchases", "enable_purge", "public_access", "shared_users", "technical_support_users",
    };
}

/// <summary>One <c>variable</c> block.</summary>
/// <param name="Type">The type expression as written, without spaces (e.g. <c>list(string)</c>), or null.</param>
/// <param name="Description">The description after escapes and heredoc processing, UIMeta tag included.</param>
/// <param name="Default">The default as JSON; meaningful only when <paramref name="HasDefault"/> (null then means <c>default = null</c>).</param>
public sealed record ModuleVariable(
    string Name,
    string? Type,
    string? Description,
    JsonNode? Default,
    bool HasDefault,
    bool Sensitive,
    bool Nullable,
    int? Group,
    int? Order,
    bool UpdateSafe,
    IReadOnlyList<VariableValidation> Validations)
{
    public bool Required => !HasDefault;

    /// <summary>The type built from the parsed source (optional-attribute defaults kept as syntax, heredocs included); null when not read from source.</summary>
    [JsonIgnore] public TerraformType? ParsedType { get; init; }

    /// <summary>The default is there but is not a constant (e.g. it refers to another variable), so its value is unknown.</summary>
    [JsonIgnore] public bool DefaultUnreadable { get; init; }
    public bool IsMetadata => ModuleMetadata.VariableNames.Contains(Name);

    /// <summary>Set by the platform, not the partner: UIMeta group 0 without being one of the metadata variables.</summary>
    public bool IsPlatformWiring => !IsMetadata && Group == 0;
}

/// <summary>One <c>validation</c> block: the condition as written and the error message (a string value, or the template text).</summary>
public sealed record VariableValidation(string Condition, string ErrorMessage)
{
    /// <summary>The parsed condition, for evaluation; null when the model was not built from source.</summary>
    [JsonIgnore] public HclExpression? ConditionExpression { get; init; }

    /// <summary>The parsed error message, so interpolations can be rendered with the submitted value.</summary>
    [JsonIgnore] public HclExpression? ErrorMessageExpression { get; init; }
}
