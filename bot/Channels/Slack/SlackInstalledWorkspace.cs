using System.Text.Json.Nodes;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>The workspace (team id) the bot token is installed in, as <c>auth.test</c> names it; asked once, then remembered.</summary>
public sealed class SlackInstalledWorkspace(SlackWebApiClient api, ILogger<SlackInstalledWorkspace> log)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private string? teamId;

    /// <summary>The installed workspace's team id, or null while Slack cannot tell (asked again next time).</summary>
    public async Task<string?> TeamIdAsync(CancellationToken ct)
    {
        if (teamId is not null) return teamId;
        await gate.WaitAsync(ct);
        try
        {
            if (teamId is not null) return teamId;
            var answer = await api.CallAsync("auth.test", new JsonObject(), ct);
            teamId = SlackTurnMapper.Str(answer, "team_id") is { Length: > 0 } id ? id : null;
            return teamId;
        }
        catch (SlackApiException e)
        {
            log.LogWarning("Slack auth.test failed: {Error}; emails are not trusted until it answers", e.Error);
            return null;
        }
        finally
        {
            gate.Release();
        }
    }
}
