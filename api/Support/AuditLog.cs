using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Support;

/// <summary>One audited access (container <c>audit</c>, partition = the user whose data was read).</summary>
public sealed record AuditEntry(
    string Type,
    string Action,
    string ActorId,
    string ActorName,
    string SubjectUserId,
    string? TicketId,
    IReadOnlyList<string> ItemIds,
    DateTimeOffset At);

/// <summary>Append-only record of staff reading customer data.</summary>
public sealed class AuditLog(IDocumentStore store, TimeProvider clock)
{
    public const string Container = "audit";
    public const string DeploymentsRead = "deployments.read";

    public async Task<AuditEntry> RecordAsync(string action, string actorId, string actorName, string subjectUserId, string? ticketId,
        IReadOnlyList<string> itemIds, CancellationToken ct = default)
    {
        var entry = new AuditEntry("audit", action, actorId, actorName, subjectUserId, ticketId, itemIds, clock.GetUtcNow());
        var id = $"{entry.At.ToUnixTimeMilliseconds():D15}-{Guid.NewGuid():N}";
        await store.CreateAsync(Container, subjectUserId, id, StoreJson.ToBody(entry), ct: ct);
        return entry;
    }

    /// <summary>The audited accesses to <paramref name="subjectUserId"/>'s data, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(string subjectUserId, CancellationToken ct = default)
    {
        var page = await store.QueryAsync(Container, subjectUserId, new DocumentQuery { OrderBy = "/at", PageSize = 200 }, ct);
        return page.Items.Select(d => StoreJson.FromBody<AuditEntry>(d.Body)).ToList();
    }
}
