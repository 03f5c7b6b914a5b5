using System.Text.Json.Nodes;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>A message as Slack takes it: fallback text plus Block Kit blocks.</summary>
public sealed record SlackMessageContent(string Text, JsonArray Blocks);

/// <summary>How the channel turns the neutral UI model into Block Kit and reads modal inputs back.</summary>
public interface ISlackBlockKit
{
    SlackMessageContent RenderMessage(UiMessage message);

    /// <summary>Reads a submitted modal's <c>view.state.values</c> into input values keyed by input id.</summary>
    JsonObject ReadValues(JsonObject stateValues);
}
