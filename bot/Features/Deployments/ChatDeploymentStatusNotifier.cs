using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Bot.Features.Deployments;

/// <summary>
/// Posts each deployment state change into the conversation the deployment was started from, updating the status
/// card in place where the channel allows. Called by the outbox dispatcher: at least once, so it skips changes
/// older than the one already shown, and throws to be retried when the channel is unreachable.
/// </summary>
public sealed class ChatDeploymentStatusNotifier(
    IEnumerable<IProactiveChannel> channels,
    DeploymentService deployments,
    DeploymentStatusCards cards,
    ILogger<ChatDeploymentStatusNotifier> logger) : IDeploymentStatusNotifier
{
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
        if (placement is not null && placement.Sequence >= change.Sequence) return;

        var deployment = await deployments.GetAsync(new DeploymentCaller(change.PartnerId, IsAdmin: false), change.DeploymentId, ct);
        if (deployment is null) return;
        // The card always shows the latest state, whichever change triggered this delivery.
        var messageId = await channel.SendAsync(address, cards.Build(deployment), placement?.MessageId, ct);
        if (!await cards.RecordAsync(change.DeploymentId, messageId ?? placement?.MessageId, change.Sequence, placement, ct))
            logger.LogInformation("Status card of {DeploymentId} was recorded by a concurrent delivery.", change.DeploymentId);
    }
}
