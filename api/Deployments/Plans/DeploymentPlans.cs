using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Deployments;

/// <summary>
/// Saved plan files (container <c>deploymentplans</c>, partition = deployment id, id = plan id), encrypted with Data
/// Protection because a plan holds the variable values, sensitive ones included. Kept in the store, not on a host, so the
/// apply may run anywhere; removed once the plan is applied, discarded or expired.
/// </summary>
public sealed class DeploymentPlans(IDocumentStore store, IDataProtectionProvider protection)
{
    public const string Container = "deploymentplans";
    private readonly IDataProtector _protector = protection.CreateProtector("PartnerBot.Deployments.SavedPlans.v1");

    public async Task SaveAsync(string deploymentId, string planId, byte[] planFile, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["type"] = "plan",
            ["protected"] = Convert.ToBase64String(_protector.Protect(planFile)),
        };
        await store.UpsertAsync(Container, deploymentId, planId, body, new DocumentOptions(TimeSpan.FromDays(7)), ct);
    }

    /// <summary>The plan file, or null when it is gone (applied, dropped, or never saved).</summary>
    public async Task<byte[]?> LoadAsync(string deploymentId, string planId, CancellationToken ct)
    {
        var document = await store.ReadAsync(Container, deploymentId, planId, ct);
        return (string?)document?.Body["protected"] is { } value ? _protector.Unprotect(Convert.FromBase64String(value)) : null;
    }

    public async Task DeleteAsync(string deploymentId, string planId, CancellationToken ct)
    {
        try { await store.DeleteAsync(Container, deploymentId, planId, ct: ct); }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound) { }
    }
}
