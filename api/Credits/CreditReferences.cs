namespace PartnerBot.Api.Credits;

/// <summary>
/// What a ledger reference says about its cause. Deployment charges are <c>deployment:ID</c>, ongoing cost reports
/// <c>deployment:ID:cost:REPORT</c>, their refunds <c>refund:</c> + the charge; sandbox purchases start with <c>sandbox:</c>.
/// </summary>
public static class CreditReferences
{
    public const string DeploymentPrefix = "deployment:";
    public const string RefundPrefix = "refund:";
    public const string SandboxPrefix = "sandbox:";

    /// <summary>The deployment a charge (or its refund) belongs to, or null.</summary>
    public static string? DeploymentId(string reference)
    {
        var rest = reference.StartsWith(RefundPrefix, StringComparison.Ordinal) ? reference[RefundPrefix.Length..] : reference;
        if (!rest.StartsWith(DeploymentPrefix, StringComparison.Ordinal)) return null;
        var id = rest[DeploymentPrefix.Length..];
        var end = id.IndexOf(':', StringComparison.Ordinal);
        return end < 0 ? id : id[..end];
    }

    public static string CostReport(string deploymentId, string reportId) => $"{DeploymentPrefix}{deploymentId}:cost:{reportId}";

    public static bool IsSandbox(string reference) => reference.StartsWith(SandboxPrefix, StringComparison.Ordinal);
}

/// <summary>Which transactions to list: all filters optional; <see cref="To"/> is exclusive.</summary>
public sealed record CreditTransactionFilter(
    CreditTransactionKind? Kind = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? DeploymentId = null,
    bool Ascending = false);
