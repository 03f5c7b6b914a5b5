using System.Text.Json.Nodes;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>Where a Slack turn's replies go.</summary>
/// <param name="Ephemeral">Replies are shown only to <paramref name="UserId"/> (slash commands and ephemeral messages in shared channels).</param>
public sealed record SlackConversation(string TeamId, string ChannelId, string UserId, string? ThreadTs = null, bool Ephemeral = false)
{
    public string Key => $"slack:{TeamId}:{ChannelId}";

    /// <summary>Direct-message channel ids start with D.</summary>
    public bool IsDirectMessage => ChannelId.StartsWith('D');

    /// <summary>
    /// The address <see cref="SlackProactiveChannel"/> accepts: <c>{team, channel, user, thread_ts?, ephemeral?}</c>.
    /// Later messages to an ephemeral conversation go to the user's direct message instead of the shared channel.
    /// </summary>
    public JsonObject ToAddress()
    {
        var address = new JsonObject { ["team"] = TeamId, ["channel"] = ChannelId, ["user"] = UserId };
        if (ThreadTs is not null) address["thread_ts"] = ThreadTs;
        if (Ephemeral) address["ephemeral"] = true;
        return address;
    }
}
