using Microsoft.Extensions.Options;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Deployments;

public sealed record LogChunk(string Type, string DeploymentId, int Index, long FirstLine, IReadOnlyList<string> Lines, DateTimeOffset At);

public sealed record LogPage(IReadOnlyList<string> Lines, string? ContinuationToken);

/// <summary>
/// Deployment logs: the last lines in the deployment document (<see cref="Deployment.LogTail"/>) and every line in
/// chunk documents (container <c>deployment-logs</c>, partition = deployment id, id <c>chunk-00000001</c>...).
/// </summary>
public sealed class DeploymentLogs(IDocumentStore store, DeploymentRepository deployments, IOptions<DeploymentOptions> options)
{
    public const string Container = "deployment-logs";
    private const int EventsRemembered = 500;

    /// <summary>Appends lines; with <paramref name="eventId"/> the append happens at most once. False when it was a repeat.</summary>
    public async Task<bool> AppendAsync(string partnerId, string deploymentId, IReadOnlyList<string> lines, string? eventId,
        CancellationToken ct = default)
    {
        if (lines.Count == 0 && eventId is null) return true;
        var tailSize = options.Value.LogTailLines;
        var (stored, changed) = await deployments.UpdateAsync(partnerId, deploymentId, d =>
        {
            if (eventId is not null && d.AppliedEvents.Contains(eventId)) return null;
            return d with
            {
                LogChunks = lines.Count > 0 ? d.LogChunks + 1 : d.LogChunks,
                LogLines = d.LogLines + lines.Count,
                LogTail = [.. d.LogTail.Concat(lines).TakeLast(tailSize)],
                AppliedEvents = eventId is null ? d.AppliedEvents : [.. d.AppliedEvents.Append(eventId).TakeLast(EventsRemembered)],
            };
        }, ct);
        if (stored is null || !changed) return false;
        if (lines.Count == 0) return true;

        var deployment = stored.Deployment;
        var index = deployment.LogChunks;
        var chunk = new LogChunk("chunk", deploymentId, index, deployment.LogLines - lines.Count + 1, lines,
            deployments.Clock.GetUtcNow());
        await store.UpsertAsync(Container, deploymentId, ChunkId(index), StoreJson.ToBody(chunk), ct: ct);
        return true;
    }

    public async Task<LogPage> ReadAsync(string deploymentId, string? continuationToken, int pageSize, CancellationToken ct = default)
    {
        var page = await store.QueryAsync(Container, deploymentId, new DocumentQuery
        {
            Filters = [FieldFilter.Eq("/type", "chunk")],
            OrderBy = "/index",
            PageSize = Math.Clamp(pageSize, 1, 100),
            ContinuationToken = continuationToken,
        }, ct);
        var lines = page.Items.SelectMany(d => StoreJson.FromBody<LogChunk>(d.Body).Lines).ToList();
        return new LogPage(lines, page.ContinuationToken);
    }

    public static string ChunkId(int index) => $"chunk-{index:D8}";
}
