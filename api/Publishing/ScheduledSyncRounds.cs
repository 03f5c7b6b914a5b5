using System.Text.Json.Nodes;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Publishing;

/// <summary>
/// Which instance runs the next round of the scheduled sync. One document (<c>schedules/module-sync/round</c>) holds
/// when the next round is due; an instance whose timer fires claims the round by moving that time one interval ahead
/// with an ETag-conditional write, and only the instance whose write lands syncs. With N instances the platform and
/// partner repositories are still synced once per interval, and when the instance that last synced stops, the next
/// timer to fire on any other instance after the due time takes over.
/// </summary>
public sealed class ScheduledSyncRounds(IDocumentStore store, TimeProvider clock)
{
    public const string Container = "schedules";
    private const string Partition = "module-sync";
    private const string RoundId = "round";

    /// <summary>
    /// Claims the round due now for <paramref name="owner"/>; false when another instance claimed it within the last
    /// <paramref name="interval"/> (less a tenth, so the claiming instance's own next timer is never too early).
    /// </summary>
    public async Task<bool> TryClaimAsync(string owner, TimeSpan interval, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var current = await store.ReadAsync(Container, Partition, RoundId, ct);
        if (current?.Body["dueAt"] is JsonValue due && due.GetValue<long>() > now) return false;
        var body = new JsonObject
        {
            ["dueAt"] = now + (long)(interval.TotalMilliseconds * 0.9),
            ["owner"] = owner,
            ["claimedAt"] = now,
        };
        try
        {
            if (current is null) await store.CreateAsync(Container, Partition, RoundId, body, ct: ct);
            else await store.ReplaceAsync(Container, Partition, RoundId, body, current.ETag, ct: ct);
            return true;
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.Conflict or StorageErrorKind.PreconditionFailed)
        {
            return false;
        }
    }

    /// <summary>The instance that claimed the latest round, or null before the first.</summary>
    public async Task<string?> LastOwnerAsync(CancellationToken ct) =>
        (string?)(await store.ReadAsync(Container, Partition, RoundId, ct))?.Body["owner"];
}
