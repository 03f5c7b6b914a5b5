using System.Text.Json.Nodes;
using PartnerBot.Bot.Channels.BotFramework;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>
/// Proactive messages to Teams: into a stored conversation (new message, or an in-place update via PUT activity),
/// and new conversations — a 1:1 chat with a user, or a post in a team channel (support relays).
/// </summary>
public sealed class TeamsProactiveChannel(ConnectorClient connector, TeamsMessageFactory messages, ILogger<TeamsProactiveChannel> log)
    : IProactiveChannel
{
    public string Channel => TeamsRoutes.ChannelId;

    public async Task<string?> SendAsync(JsonObject address, UiMessage message, string? updateMessageId, CancellationToken ct = default)
    {
        var (reference, _) = TeamsConversationAddress.Read(address)
            ?? throw new ArgumentException("The address is not a Teams conversation address.", nameof(address));
        var activity = messages.Create(message, reference);
        if (updateMessageId is not null)
        {
            try
            {
                var updated = await connector.UpdateActivityAsync(reference.ServiceUrl!, reference.Conversation!.Id!, updateMessageId, activity, ct);
                return updated.Id ?? updateMessageId;
            }
            catch (ConnectorException e) when (e.Status == 404)
            {
                // The message was deleted by the user: show the content as a new message instead.
                log.LogInformation("Message {MessageId} no longer exists; sending a new one", updateMessageId);
                activity = messages.Create(message, reference);
            }
        }
        var sent = await connector.SendToConversationAsync(reference.ServiceUrl!, reference.Conversation!.Id!, activity, ct);
        return sent.Id;
    }

    /// <summary>Opens (or reuses) the 1:1 chat between the bot and a user and sends the message; returns the chat's address.</summary>
    public async Task<(JsonObject Address, string? MessageId)> SendToUserAsync(string serviceUrl, string tenantId, ChannelAccount bot,
        string userId, UiMessage message, CancellationToken ct = default)
    {
        var created = await connector.CreateConversationAsync(serviceUrl, new ConversationParameters
        {
            IsGroup = false,
            Bot = new ChannelAccount { Id = bot.Id, Name = bot.Name },
            Members = [new ChannelAccount { Id = userId }],
            TenantId = tenantId,
            ChannelData = new JsonObject { ["tenant"] = new JsonObject { ["id"] = tenantId } },
        }, ct);
        var reference = new ConversationReference
        {
            Bot = bot,
            User = new ChannelAccount { Id = userId },
            Conversation = new ConversationAccount { Id = created.Id, ConversationType = "personal", TenantId = tenantId },
            ChannelId = TeamsRoutes.ChannelId,
            ServiceUrl = serviceUrl,
        };
        var address = TeamsConversationAddress.From(reference, tenantId);
        var sent = await connector.SendToConversationAsync(serviceUrl, created.Id!, messages.Create(message, reference), ct);
        return (address, sent.Id);
    }

    /// <summary>Starts a new thread in a team channel with the message; returns the thread's address and the message id.</summary>
    public async Task<(JsonObject Address, string? MessageId)> PostToChannelAsync(string serviceUrl, string tenantId, string channelId,
        ChannelAccount bot, UiMessage message, CancellationToken ct = default)
    {
        var reference = new ConversationReference
        {
            Bot = bot,
            Conversation = new ConversationAccount { Id = channelId, ConversationType = "channel", IsGroup = true, TenantId = tenantId },
            ChannelId = TeamsRoutes.ChannelId,
            ServiceUrl = serviceUrl,
        };
        var created = await connector.CreateConversationAsync(serviceUrl, new ConversationParameters
        {
            IsGroup = true,
            Bot = new ChannelAccount { Id = bot.Id, Name = bot.Name },
            TenantId = tenantId,
            Activity = messages.Create(message, reference),
            ChannelData = new JsonObject
            {
                ["channel"] = new JsonObject { ["id"] = channelId },
                ["tenant"] = new JsonObject { ["id"] = tenantId },
            },
        }, ct);
        // The new thread is the channel id plus ";messageid=<root message>".
        var thread = created.Id ?? $"{channelId};messageid={created.ActivityId}";
        reference.Conversation.Id = thread;
        return (TeamsConversationAddress.From(reference, tenantId), created.ActivityId);
    }

    public Task<IReadOnlyList<ChannelAccount>> GetMembersAsync(JsonObject address, CancellationToken ct = default)
    {
        var (reference, _) = TeamsConversationAddress.Read(address)
            ?? throw new ArgumentException("The address is not a Teams conversation address.", nameof(address));
        return connector.GetConversationMembersAsync(reference.ServiceUrl!, reference.Conversation!.Id!, ct);
    }
}
