using System.Text.Json.Nodes;

namespace PartnerBot.Cards.BlockKit;

/// <summary>One Slack message: <c>text</c> (notification fallback) and <c>blocks</c>, ready for chat.postMessage.</summary>
public sealed record SlackMessage(string Text, JsonArray Blocks)
{
    /// <summary>The body for chat.postMessage / response_url (add <c>channel</c> or <c>replace_original</c> as needed).</summary>
    public JsonObject ToPayload() => new() { ["text"] = Text, ["blocks"] = Blocks.DeepClone() };
}
