using System.Text.Json.Nodes;

namespace PartnerBot.Api.Deployments;

/// <summary>Reads the summary of a saved plan from <c>terraform show -json PLANFILE</c>.</summary>
public static class PlanJson
{
    public static PlanSummary Summarize(string json)
    {
        if (string.IsNullOrWhiteSpace(json) || JsonNode.Parse(json) is not JsonObject root) return PlanSummary.Empty;
        var (creates, updates, replaces, deletes) = (new List<string>(), new List<string>(), new List<string>(), new List<string>());
        foreach (var node in root["resource_changes"] as JsonArray ?? [])
        {
            if (node is not JsonObject change || (string?)change["address"] is not { } address) continue;
            // Data sources are read, not changed; Terraform leaves them out of its counts too.
            if ((string?)change["mode"] == "data") continue;
            var actions = (change["change"]?["actions"] as JsonArray ?? []).Select(a => (string?)a).ToList();
            if (actions.Contains("create") && actions.Contains("delete")) replaces.Add(address);
            else if (actions.Contains("create")) creates.Add(address);
            else if (actions.Contains("update")) updates.Add(address);
            else if (actions.Contains("delete")) deletes.Add(address);
        }
        return new PlanSummary(creates.Count + replaces.Count, updates.Count, deletes.Count + replaces.Count,
            creates, updates, replaces, deletes);
    }
}
