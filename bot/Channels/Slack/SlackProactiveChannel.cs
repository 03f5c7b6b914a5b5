using System.Text.Json.Nodes;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>
/// Sends to a Slack conversation outside a turn. Address: <c>{channel, thread_ts?}</c> (as
/// <see cref="SlackConversation.ToAddress"/> writes it); an update edits the message with that ts in place.
/// </summary>
public sealed class SlackProactiveChannel(SlackWebApiClient api, ISlackBlockKit blockKit, ILogger<SlackProactiveChannel> log) : IProactiveChannel
{
    public string Channel => SlackTurnMapper.Channel;

    public async Task<string?> SendAsync(JsonObject address, UiMessage message, string? updateMessageId, CancellationToken ct = default)
    {
        var channel = SlackTurnMapper.Str(address, "channel")
            ?? throw new ArgumentException("A Slack address needs a channel.", nameof(address));
        var content = blockKit.RenderMessage(message);
        if (updateMessageId is not null && !updateMessageId.StartsWith("ephemeral:", StringComparison.Ordinal))
        {
            try
            {
                var updated = await api.UpdateMessageAsync(channel, updateMessageId, content.Text, content.Blocks, ct);
                return SlackTurnMapper.Str(updated, "ts") ?? updateMessageId;
            }
            catch (SlackApiException e) when (e.Error is "message_not_found" or "cant_update_message" or "edit_window_closed")
            {
                log.LogInformation("Slack message {Ts} cannot be updated ({Error}); posting a new one", updateMessageId, e.Error);
                content = blockKit.RenderMessage(message);
            }
        }
        var posted = await api.PostMessageAsync(channel, content.Text, content.Blocks, SlackTurnMapper.Str(address, "thread_ts"), ct);
        return SlackTurnMapper.Str(posted, "ts");
    }
}
