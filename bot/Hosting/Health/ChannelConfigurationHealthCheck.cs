using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Channels.Teams;

namespace PartnerBot.Bot.Hosting.Health;

/// <summary>
/// Slack is on once <c>Slack:SigningSecret</c> or <c>Slack:BotToken</c> is set, and then needs both: without the
/// secret every request is refused, without the token nothing can be sent. Only which keys are missing is reported.
/// </summary>
public sealed class SlackConfigurationHealthCheck(IOptions<SlackOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var slack = options.Value;
        var hasSecret = !string.IsNullOrWhiteSpace(slack.SigningSecret);
        var hasToken = !string.IsNullOrWhiteSpace(slack.BotToken);
        var result = (hasSecret, hasToken) switch
        {
            (false, false) => HealthCheckResult.Healthy("off (no Slack:SigningSecret or Slack:BotToken)"),
            (true, true) when !slack.BotToken.StartsWith("xoxb-", StringComparison.Ordinal) =>
                HealthCheckResult.Unhealthy("Slack:BotToken is not a bot token (xoxb-...)"),
            (true, true) => HealthCheckResult.Healthy("on: signing secret and bot token set"),
            (true, false) => HealthCheckResult.Unhealthy("on, but Slack:BotToken is not set: no answer can be sent"),
            (false, true) => HealthCheckResult.Unhealthy("on, but Slack:SigningSecret is not set: every request is refused"),
        };
        return Task.FromResult(result);
    }
}

/// <summary>Teams (Azure Bot) is on once <c>MicrosoftAppId</c> is set; it then needs its password (and tenant when single-tenant).</summary>
public sealed class TeamsConfigurationHealthCheck(IOptions<BotFrameworkOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var teams = options.Value;
        if (teams.IsAnonymous) return Task.FromResult(HealthCheckResult.Healthy("off (no MicrosoftAppId): /api/messages serves only the local Emulator"));
        if (string.IsNullOrWhiteSpace(teams.MicrosoftAppPassword))
            return Task.FromResult(HealthCheckResult.Unhealthy("on, but MicrosoftAppPassword is not set"));
        if (teams.IsSingleTenant && string.IsNullOrWhiteSpace(teams.MicrosoftAppTenantId))
            return Task.FromResult(HealthCheckResult.Unhealthy("on (SingleTenant), but MicrosoftAppTenantId is not set"));
        return Task.FromResult(HealthCheckResult.Healthy($"on ({teams.MicrosoftAppType})"));
    }
}
