using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace PartnerBot.Api.Deployments;

/// <summary>
/// One state change of a deployment, delivered at least once. <paramref name="NotificationId"/> is stable across
/// redeliveries, so a receiver that has seen it can skip it.
/// </summary>
/// <param name="Conversation">The opaque conversation reference given when the deployment was started (may be null).</param>
public sealed record DeploymentStatusChange(
    string NotificationId,
    string DeploymentId,
    string PartnerId,
    string ModuleName,
    int Sequence,
    DeploymentState State,
    DeploymentState? Previous,
    DeploymentAction Action,
    string? Message,
    DateTimeOffset At,
    JsonNode? Conversation);

/// <summary>Receives deployment state changes (the chat side posts or updates the status card in the conversation).</summary>
public interface IDeploymentStatusNotifier
{
    /// <summary>Delivers one change; throwing means "try again later".</summary>
    Task NotifyAsync(DeploymentStatusChange change, CancellationToken ct);
}

/// <summary>Used until a channel registers its own notifier: state changes go to the log.</summary>
public sealed class LoggingDeploymentStatusNotifier(ILogger<LoggingDeploymentStatusNotifier> logger) : IDeploymentStatusNotifier
{
    public Task NotifyAsync(DeploymentStatusChange change, CancellationToken ct)
    {
        logger.LogInformation("Deployment {DeploymentId} ({Module}) of {PartnerId} is now {State}: {Message}",
            change.DeploymentId, change.ModuleName, change.PartnerId, change.State, change.Message);
        return Task.CompletedTask;
    }
}
