using System.Text.Json.Nodes;

namespace PartnerBot.Bot.Channels.BotFramework;

/// <summary>Body of <c>POST v3/conversations</c> (Connector swagger <c>ConversationParameters</c>).</summary>
public sealed class ConversationParameters
{
    public bool? IsGroup { get; set; }
    public ChannelAccount? Bot { get; set; }
    public List<ChannelAccount>? Members { get; set; }
    public string? TopicName { get; set; }
    public string? TenantId { get; set; }
    public Activity? Activity { get; set; }
    public JsonNode? ChannelData { get; set; }
}

/// <summary>Answer of <c>POST v3/conversations</c>.</summary>
public sealed record ConversationResourceResponse(string? Id, string? ActivityId, string? ServiceUrl);

/// <summary>The Connector's error body: <c>{"error":{"code","message"}}</c>.</summary>
public sealed record ErrorResponse(ConnectorError? Error);

public sealed record ConnectorError(string? Code, string? Message);
