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
        var parts = BlockKitRenderer.RenderMessages(message);
        var threadTs = SlackTurnMapper.Str(address, "thread_ts");
        if (updateMessageId is not null && !updateMessageId.StartsWith("ephemeral:", StringComparison.Ordinal))
        {
            try
            {
                var updated = await api.UpdateMessageAsync(channel, updateMessageId, parts[0].Text, parts[0].Blocks.DeepClone().AsArray(), ct);
                foreach (var rest in parts.Skip(1)) await api.PostMessageAsync(channel, rest.Text, rest.Blocks.DeepClone().AsArray(), threadTs, ct);
                return SlackTurnMapper.Str(updated, "ts") ?? updateMessageId;
            }
            catch (SlackApiException e) when (e.Error is "message_not_found" or "cant_update_message" or "edit_window_closed")
            {
                log.LogInformation("Slack message {Ts} cannot be updated ({Error}); posting a new one", updateMessageId, e.Error);
            }
        }
        string? first = null;
        foreach (var part in parts)
        {
            var posted = await api.PostMessageAsync(channel, part.Text, part.Blocks.DeepClone().AsArray(), threadTs, ct);
            first ??= SlackTurnMapper.Str(posted, "ts");
        }
        return first;
    }
}
