using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Bot.Features.Deployments;

/// <summary>
/// Posts each deployment state change into the conversation the deployment was started from, updating the status
/// card in place where the channel allows. Called by the outbox dispatcher: at least once, so it skips changes the
/// card already shows, and throws to be retried when the channel is unreachable or the first card is still being posted.
/// </summary>
public sealed class ChatDeploymentStatusNotifier(
    IEnumerable<IProactiveChannel> channels,
    DeploymentService deployments,
    DeploymentStatusCards cards,
    TimeProvider time,
    ILogger<ChatDeploymentStatusNotifier> logger) : IDeploymentStatusNotifier
{
    private static readonly TimeSpan FirstCardWait = TimeSpan.FromSeconds(5);

    public async Task NotifyAsync(DeploymentStatusChange change, CancellationToken ct)
    {
        if (change.Conversation is not JsonObject conversation
            || (string?)conversation["channel"] is not { } channelId
            || conversation["address"] is not JsonObject address)
        {
            logger.LogDebug("Deployment {DeploymentId} was not started from a chat; no status card to update.", change.DeploymentId);
            return;
        }
        var channel = channels.FirstOrDefault(c => c.Channel == channelId);
        if (channel is null)
        {
            logger.LogWarning("No channel {Channel} is configured to post the status of deployment {DeploymentId}.", channelId, change.DeploymentId);
            return;
        }

        var placement = await cards.FindAsync(change.DeploymentId, ct);
        var claimed = false;
        if (placement is null)
        {
            placement = await cards.TryClaimAsync(change.DeploymentId, ct);
            claimed = placement is not null;
            placement ??= await cards.FindAsync(change.DeploymentId, ct);
        }
        if (!claimed && placement is { MessageId: null }) placement = await WaitForFirstCardAsync(change.DeploymentId, placement, ct);
        if (placement is not null && placement.Sequence >= change.Sequence) return;

        string? messageId;
        int shown;
        try
        {
            var deployment = await deployments.GetAsync(new DeploymentCaller(change.PartnerId, IsAdmin: false), change.DeploymentId, ct);
            if (deployment is null) return;
            // The card always shows the latest state, whichever change triggered this delivery; the changes it
            // covers are then skipped when they are delivered.
            shown = DeploymentStatusCards.ShownSequence(deployment);
            if (placement is not null && placement.Sequence >= shown) return;
            messageId = await channel.SendAsync(address, cards.Build(deployment), placement?.MessageId, ct);
        }
        catch when (claimed)
        {
            await cards.ReleaseAsync(change.DeploymentId, placement!);
            throw;
        }
        if (!await cards.RecordAsync(change.DeploymentId, messageId ?? placement?.MessageId, shown, placement, ct))
            logger.LogInformation("Status card of {DeploymentId} was recorded by a concurrent delivery.", change.DeploymentId);
    }

    /// <summary>
    /// The placement once the deploy turn has posted the first card it claimed. A claim that was abandoned is taken
    /// over; one still fresh after a short wait makes this delivery retry later.
    /// </summary>
    private async Task<DeploymentStatusCards.Placement?> WaitForFirstCardAsync(string deploymentId, DeploymentStatusCards.Placement? placement, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + FirstCardWait;
        while (placement is { MessageId: null } && !cards.IsAbandoned(placement))
        {
            if (time.GetUtcNow() >= deadline)
                throw new InvalidOperationException($"The first status card of {deploymentId} is still being posted; the update follows it.");
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, ct);
            placement = await cards.FindAsync(deploymentId, ct);
        }
        return placement;
    }
}
