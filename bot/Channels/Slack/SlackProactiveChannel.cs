using System.Text.Json.Nodes;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>
/// Sends to a Slack conversation outside a turn. Address: <c>{channel, thread_ts?}</c> (as
/// <see cref="SlackConversation.ToAddress"/> writes it); an update edits the message with that ts in place.
/// </summary>
public sealed class SlackProactiveChannel(SlackWebApiClient api, ILogger<SlackProactiveChannel> log) : IProactiveChannel
{
    public string Channel => SlackTurnMapper.Channel;

    public async Task<string?> SendAsync(JsonObject address, UiMessage message, string? updateMessageId, CancellationToken ct = default)
    {
        var channel = SlackTurnMapper.Str(address, "channel")
            ?? throw new ArgumentException("A Slack address needs a channel.", nameof(address));
        var user = SlackTurnMapper.Str(address, "user");
        var threadTs = SlackTurnMapper.Str(address, "thread_ts");
        var parts = BlockKitRenderer.RenderMessages(message);

        if (updateMessageId is not null && SlackMessageId.TryParse(updateMessageId, channel) is { } target)
        {
            try
            {
                var updated = await api.UpdateMessageAsync(target.Channel, target.Ts, parts[0], ct);
                foreach (var rest in parts.Skip(1)) await api.PostMessageAsync(target.Channel, rest, null, ct);
                return updateMessageId;
            }
            catch (SlackApiException e) when (e.Error is "message_not_found" or "cant_update_message" or "edit_window_closed")
            {
                log.LogInformation("Slack message {Id} cannot be updated ({Error}); posting a new one", updateMessageId, e.Error);
            }
        }

        // What was private to the user in a shared channel continues in their direct message with the bot.
        var ephemeral = address["ephemeral"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;
        if (ephemeral && user is not null) return await PostAsync(await api.OpenDirectMessageAsync(user, ct), null, parts, moved: true, ct);
        try
        {
            return await PostAsync(channel, threadTs, parts, moved: false, ct);
        }
        catch (SlackApiException e) when (e.Error is "channel_not_found" or "not_in_channel" && user is not null)
        {
            log.LogInformation("Slack channel {Channel} is closed to the bot ({Error}); posting to the user's direct message", channel, e.Error);
            return await PostAsync(await api.OpenDirectMessageAsync(user, ct), null, parts, moved: true, ct);
        }
    }

    private async Task<string?> PostAsync(string channel, string? threadTs, IReadOnlyList<SlackMessage> parts, bool moved, CancellationToken ct)
    {
        string? first = null;
        foreach (var part in parts)
        {
            var posted = await api.PostMessageAsync(channel, part, threadTs, ct);
            first ??= SlackTurnMapper.Str(posted, "ts");
        }
        return first is null ? null : moved ? SlackMessageId.Format(channel, first) : first;
    }
}

/// <summary>
/// Message ids the Slack channel hands out: the <c>ts</c> for a message in the conversation's own channel,
/// <c>{channel}/{ts}</c> for one that had to go elsewhere (the user's direct message), <c>ephemeral:{ts}</c> for
/// ephemeral messages, which cannot be edited.
/// </summary>
public static class SlackMessageId
{
    public const string EphemeralPrefix = "ephemeral:";

    public static string Format(string channel, string ts) => $"{channel}/{ts}";

    /// <summary>The channel and ts to edit, or null for an ephemeral message.</summary>
    public static (string Channel, string Ts)? TryParse(string messageId, string conversationChannel)
    {
        if (messageId.StartsWith(EphemeralPrefix, StringComparison.Ordinal)) return null;
        var slash = messageId.IndexOf('/');
        return slash > 0 ? (messageId[..slash], messageId[(slash + 1)..]) : (conversationChannel, messageId);
    }
}
