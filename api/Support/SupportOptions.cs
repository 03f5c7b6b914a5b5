namespace PartnerBot.Api.Support;

/// <summary>The <c>Support</c> configuration section: where requests are forwarded to the support staff.</summary>
public sealed class SupportOptions
{
    /// <summary><c>Support:SlackChannel</c>: the staff's Slack channel id.</summary>
    public string? SlackChannel { get; set; }

    /// <summary><c>Support:Teams:ServiceUrl</c>, <c>Support:Teams:ChannelId</c>, <c>Support:Teams:TenantId</c>.</summary>
    public string? TeamsServiceUrl { get; set; }
    public string? TeamsChannelId { get; set; }
    public string? TeamsTenantId { get; set; }

    /// <summary><c>Support:Delivery:PollInterval</c> and friends: how pending forwards are retried.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);
    public int MaxAttempts { get; set; } = 40;

    /// <summary>
    /// <c>Support:Delivery:Lease</c>: how long a delivery an instance took is left to it before another instance may send it.
    /// Longer than a send can take (the Slack and Connector clients give up after 15 and 30 s), so a live sender is never doubled.
    /// </summary>
    public TimeSpan DeliveryLease { get; set; } = TimeSpan.FromMinutes(2);

    public bool SlackConfigured => !string.IsNullOrWhiteSpace(SlackChannel);

    public bool TeamsConfigured => !string.IsNullOrWhiteSpace(TeamsServiceUrl) && !string.IsNullOrWhiteSpace(TeamsChannelId);

    /// <summary>The staff channels a ticket's forward and the customer's answers go to.</summary>
    public IReadOnlyList<string> StaffTargets =>
        [.. SlackConfigured ? [DeliveryTargets.StaffSlack] : Array.Empty<string>(), .. TeamsConfigured ? [DeliveryTargets.StaffTeams] : Array.Empty<string>()];

    public static string? Validate(SupportOptions o)
    {
        var teamsKeys = new[] { o.TeamsServiceUrl, o.TeamsChannelId, o.TeamsTenantId }.Count(v => !string.IsNullOrWhiteSpace(v));
        if (teamsKeys is > 0 and < 3)
            return "Support:Teams:ServiceUrl, Support:Teams:ChannelId and Support:Teams:TenantId must be set together (or none of them).";
        if (!string.IsNullOrWhiteSpace(o.TeamsServiceUrl)
            && (!Uri.TryCreate(o.TeamsServiceUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            return $"Support:Teams:ServiceUrl: '{o.TeamsServiceUrl}' is not an absolute http(s) URL.";
        if (o.MaxAttempts < 1) return "Support:Delivery:MaxAttempts must be at least 1.";
        if (o.DeliveryLease < TimeSpan.FromSeconds(1) || o.DeliveryLease > TimeSpan.FromHours(1))
            return "Support:Delivery:Lease must be between 1 second and 1 hour.";
        return null;
    }
}
