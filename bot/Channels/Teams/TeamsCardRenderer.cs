using System.Text.Json.Nodes;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>Turns a channel-neutral message into the Adaptive Card Teams shows.</summary>
public interface ITeamsCardRenderer
{
    JsonObject Render(UiMessage message);
}

/// <summary>The product's Adaptive Card renderer with Teams conventions (Action.Execute, card 1.5).</summary>
public sealed class AdaptiveCardsTeamsRenderer : ITeamsCardRenderer
{
    public JsonObject Render(UiMessage message) =>
        PartnerBot.Cards.AdaptiveCards.AdaptiveCardRenderer.Render(message, PartnerBot.Cards.AdaptiveCards.CardHost.Teams);
}
