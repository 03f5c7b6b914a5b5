using System.Text.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Api.Deployments.State;

/// <summary>
/// One stored version of a deployment's Terraform state. <paramref name="Version"/> counts every write and delete of
/// the state (it changes whenever the state does); <paramref name="Serial"/> and <paramref name="Lineage"/> are
/// Terraform's own. <paramref name="Resources"/> counts the entries of <c>resources</c>, <paramref name="Instances"/>
/// their instances (what Terraform reports as "N destroyed").
/// </summary>
public sealed record TerraformStateVersion(
    int Version,
    string WriteId,
    long Serial,
    string? Lineage,
    long Bytes,
    int Resources,
    int Instances,
    int Chunks,
    string Sha256,
    DateTimeOffset WrittenAt);

/// <summary>
/// Where a deployment's state stands: <paramref name="Version"/> (0 before the first write) moves on every write and
/// delete; <paramref name="Current"/> is null when there is no state (never written, or deleted). The last
/// <see cref="TerraformStateStore.KeptVersions"/> written versions are kept, newest first, even after a delete.
/// </summary>
public sealed record TerraformStateHead(int Version, TerraformStateVersion? Current, IReadOnlyList<TerraformStateVersion> Versions)
{
    public static TerraformStateHead Empty { get; } = new(0, null, []);
}

/// <summary>A decrypted state with the version it belongs to.</summary>
public sealed record TerraformStateSnapshot(TerraformStateVersion Version, byte[] Json);

/// <summary>
/// The run that took a lock: the deployment's lease owner and build number at LOCK time. A lock with no holder was
/// taken outside a PartnerBot run (an operator with the deployment's credentials).
/// </summary>
public sealed record TerraformLockHolder(string LeaseOwner, int? Build, long LeaseUntilMs);

/// <summary>A held lock: Terraform's lock info, who holds it, when it was taken, and its concurrency token.</summary>
public sealed record TerraformStateLock(TerraformLockInfo Info, TerraformLockHolder? Holder, DateTimeOffset LockedAt, string ETag)
{
    public string Describe() =>
        $"lock {Info.Id}" + (string.IsNullOrEmpty(Info.Operation) ? "" : $" ({Info.Operation})")
        + (string.IsNullOrEmpty(Info.Who) ? "" : $" by {Info.Who}")
        + (Holder is null ? ", taken outside a PartnerBot run" : $", run {Holder.LeaseOwner}" + (Holder.Build is { } b ? $" build {b}" : ""))
        + $", since {LockedAt:u}";
}

public enum StateChangeStatus
{
    /// <summary>The state was written (or deleted).</summary>
    Done,
    /// <summary>The state is locked and the request named no lock.</summary>
    Locked,
    /// <summary>The request named a lock other than the one held.</summary>
    LockMismatch,
    /// <summary>The request named a lock but the state is not locked (the lock was released).</summary>
    LockNotHeld,
}

/// <summary>The outcome of a write or delete: the new version when done, the holder's lock when refused.</summary>
public sealed record StateChangeResult(StateChangeStatus Status, TerraformStateVersion? Version = null, TerraformStateLock? Holder = null);

public enum LockStatus { Acquired, HeldByOther }

public sealed record LockResult(LockStatus Status, TerraformStateLock Lock);

public enum UnlockStatus { Released, NotLocked, HeldByOther }

public sealed record UnlockResult(UnlockStatus Status, TerraformStateLock? Holder = null);

/// <summary>What a state says about itself: Terraform's serial and lineage and how many resources it tracks.</summary>
public sealed record TerraformStateSummary(long Serial, string? Lineage, int Resources, int Instances)
{
    /// <summary>Reads a state file's header fields; a problem (one sentence) when it is not a Terraform state object.</summary>
    public static (TerraformStateSummary? Summary, string? Problem) Read(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty) return (null, "The state is empty.");
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            return (null, "The state is not valid JSON: " + e.Message.Split('.')[0] + ".");
        }
        if (node is not JsonObject state) return (null, "The state must be a JSON object.");
        long serial = 0;
        if (state["serial"] is JsonValue serialValue && !serialValue.TryGetValue(out serial))
            return (null, "The state's serial must be a whole number.");
        string? lineage = null;
        if (state["lineage"] is JsonValue lineageValue && !lineageValue.TryGetValue(out lineage))
            return (null, "The state's lineage must be a string.");
        var resources = 0;
        var instances = 0;
        switch (state["resources"])
        {
            case null:
                break;
            case JsonArray list:
                foreach (var resource in list)
                {
                    resources++;
                    if (resource?["instances"] is JsonArray each) instances += each.Count;
                }
                break;
            default:
                return (null, "The state's resources must be a list.");
        }
        return (new TerraformStateSummary(serial, lineage, resources, instances), null);
    }
}
