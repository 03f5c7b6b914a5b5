using System.Text.Json.Nodes;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>Turns a channel-neutral message into the Adaptive Card Teams shows.</summary>
internal interface ITeamsCardRenderer
{
    JsonObject Render(UiMessage message);
}
