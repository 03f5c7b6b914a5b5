using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Support;
using PartnerBot.Bot.Channels.BotFramework;
using PartnerBot.Bot.Channels.Teams;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Support;

/// <summary>Sends one pending delivery of a ticket to where it belongs: a staff channel or the customer's conversation.</summary>
internal sealed class StaffChannels(
    IEnumerable<IProactiveChannel> channels,
    TeamsProactiveChannel teams,
    IOptions<SupportOptions> options,
    IOptions<BotFrameworkOptions> botFramework)
{
    /// <summary>What a delivery produced: the staff thread a forward opened (stored on the ticket).</summary>
    public sealed record Sent(JsonObject? SlackThread, JsonObject? TeamsThread);

    public async Task<Sent> DeliverAsync(SupportTicket ticket, TicketDelivery delivery, CancellationToken ct)
    {
        switch (delivery.Target, delivery.Kind)
        {
            case (DeliveryTargets.StaffSlack, DeliveryKinds.Forward):
            {
                var channel = options.Value.SlackChannel ?? throw new InvalidOperationException("Support:SlackChannel is not set.");
                var ts = await Channel("slack").SendAsync(new JsonObject { ["channel"] = channel }, SupportCards.StaffCard(ticket), null, ct);
                return new Sent(new JsonObject { ["channel"] = channel, ["thread_ts"] = ts }, null);
            }
            case (DeliveryTargets.StaffTeams, DeliveryKinds.Forward):
            {
                var o = options.Value;
                var (address, _) = await teams.PostToChannelAsync(o.TeamsServiceUrl!, o.TeamsTenantId!, o.TeamsChannelId!, BotAccount(),
                    SupportCards.StaffCard(ticket), ct);
                return new Sent(null, address);
            }
            case (DeliveryTargets.StaffSlack, DeliveryKinds.Entry):
                await Channel("slack").SendAsync(ticket.SlackThread ?? throw new ForwardNotYetSentException(),
                    SupportCards.CustomerAnswerForStaff(ticket, Entry(ticket, delivery)), null, ct);
                return new Sent(null, null);
            case (DeliveryTargets.StaffTeams, DeliveryKinds.Entry):
                await teams.SendAsync(ticket.TeamsThread ?? throw new ForwardNotYetSentException(),
                    SupportCards.CustomerAnswerForStaff(ticket, Entry(ticket, delivery)), null, ct);
                return new Sent(null, null);
            case (DeliveryTargets.Customer, DeliveryKinds.Entry):
                await Channel(ticket.ConversationChannel).SendAsync(ticket.ConversationAddress,
                    SupportCards.StaffReplyForCustomer(ticket, Entry(ticket, delivery)), null, ct);
                return new Sent(null, null);
            case (DeliveryTargets.Customer, DeliveryKinds.Status):
                await Channel(ticket.ConversationChannel).SendAsync(ticket.ConversationAddress,
                    SupportCards.StatusForCustomer(ticket, delivery.Status ?? ticket.Status), null, ct);
                return new Sent(null, null);
            default:
                throw new InvalidOperationException($"Unknown support delivery {delivery.Target}/{delivery.Kind}.");
        }
    }

    private static TicketEntry Entry(SupportTicket ticket, TicketDelivery delivery) =>
        delivery.EntryIndex >= 0 && delivery.EntryIndex < ticket.Entries.Count
            ? ticket.Entries[delivery.EntryIndex]
            : throw new InvalidOperationException($"Ticket {ticket.Id} has no entry {delivery.EntryIndex}.");

    private IProactiveChannel Channel(string id) =>
        channels.FirstOrDefault(c => c.Channel == id) ?? throw new InvalidOperationException($"No proactive channel '{id}' is registered.");

    private ChannelAccount BotAccount() => new() { Id = "28:" + botFramework.Value.MicrosoftAppId, Name = "PartnerBot" };
}

/// <summary>A relay into the staff thread waits until the forward that opens the thread has been sent.</summary>
internal sealed class ForwardNotYetSentException() : Exception("The ticket's forward to this staff channel has not been sent yet.");
