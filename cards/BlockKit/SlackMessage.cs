using System.Text.Json.Nodes;

namespace PartnerBot.Cards.BlockKit;

/// <summary>
/// One Slack message, ready for chat.postMessage: <c>text</c> (notification fallback) and its <c>blocks</c>, already
/// written as a UTF-8 JSON array, so a body takes them as they are.
/// </summary>
public sealed class SlackMessage(string text, ReadOnlyMemory<byte> blocksJson)
{
    private JsonArray? _blocks;

    public string Text { get; } = text;

    /// <summary>The <c>blocks</c> array as UTF-8 JSON.</summary>
    public ReadOnlyMemory<byte> BlocksJson { get; } = blocksJson;

    /// <summary>The blocks as a JSON tree, for reading (parsed on first use; change a copy, not this).</summary>
    public JsonArray Blocks => _blocks ??= JsonNode.Parse(BlocksJson.Span)!.AsArray();

    /// <summary>The body for chat.postMessage / response_url (add <c>channel</c> or <c>replace_original</c> as needed).</summary>
    public JsonObject ToPayload() => new() { ["text"] = Text, ["blocks"] = JsonNode.Parse(BlocksJson.Span) };
}
