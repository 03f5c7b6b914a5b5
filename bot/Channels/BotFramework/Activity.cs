using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PartnerBot.Bot.Channels.BotFramework;

/// <summary>
/// A Bot Framework activity (Activity schema, Connector API v3). Properties this type does not name are kept in
/// <see cref="Extra"/> so an activity round-trips without losing a field.
/// </summary>
public sealed class Activity
{
    public string? Type { get; set; }
    public string? Id { get; set; }
    public DateTimeOffset? Timestamp { get; set; }
    public DateTimeOffset? LocalTimestamp { get; set; }
    public string? LocalTimezone { get; set; }
    public string? CallerId { get; set; }
    public string? ServiceUrl { get; set; }
    public string? ChannelId { get; set; }
    public ChannelAccount? From { get; set; }
    public ConversationAccount? Conversation { get; set; }
    public ChannelAccount? Recipient { get; set; }
    public string? TextFormat { get; set; }
    public string? AttachmentLayout { get; set; }
    public List<ChannelAccount>? MembersAdded { get; set; }
    public List<ChannelAccount>? MembersRemoved { get; set; }
    public List<JsonNode?>? ReactionsAdded { get; set; }
    public List<JsonNode?>? ReactionsRemoved { get; set; }
    public string? TopicName { get; set; }
    public bool? HistoryDisclosed { get; set; }
    public string? Locale { get; set; }
    public string? Text { get; set; }
    public string? Speak { get; set; }
    public string? InputHint { get; set; }
    public string? Summary { get; set; }
    public JsonNode? SuggestedActions { get; set; }
    public List<Attachment>? Attachments { get; set; }
    public List<Entity>? Entities { get; set; }
    public JsonNode? ChannelData { get; set; }
    public string? Action { get; set; }
    public string? ReplyToId { get; set; }
    public string? Label { get; set; }
    public string? ValueType { get; set; }
    public JsonNode? Value { get; set; }
    public string? Name { get; set; }
    public ConversationReference? RelatesTo { get; set; }
    public string? Code { get; set; }
    public DateTimeOffset? Expiration { get; set; }
    public string? Importance { get; set; }
    public string? DeliveryMode { get; set; }
    public List<string>? ListenFor { get; set; }
    public List<JsonNode?>? TextHighlights { get; set; }
    public JsonNode? SemanticAction { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    public ConversationReference GetConversationReference() => new()
    {
        ActivityId = Id,
        User = From,
        Bot = Recipient,
        Conversation = Conversation,
        ChannelId = ChannelId,
        ServiceUrl = ServiceUrl,
        Locale = Locale,
    };

    /// <summary>A reply addressed back to the sender of this activity.</summary>
    public Activity CreateReply(string? text = null) => new()
    {
        Type = ActivityTypes.Message,
        Timestamp = DateTimeOffset.UtcNow,
        From = Recipient is null ? null : new ChannelAccount { Id = Recipient.Id, Name = Recipient.Name },
        Recipient = From is null ? null : new ChannelAccount { Id = From.Id, Name = From.Name },
        Conversation = Conversation,
        ServiceUrl = ServiceUrl,
        ChannelId = ChannelId,
        ReplyToId = Id,
        Locale = Locale,
        Text = text,
        Attachments = [],
        Entities = [],
    };
}

public static class ActivityTypes
{
    public const string Message = "message";
    public const string ConversationUpdate = "conversationUpdate";
    public const string Invoke = "invoke";
    public const string InvokeResponse = "invokeResponse";
    public const string Event = "event";
    public const string Typing = "typing";
    public const string InstallationUpdate = "installationUpdate";
    public const string MessageReaction = "messageReaction";
    public const string EndOfConversation = "endOfConversation";
    public const string MessageUpdate = "messageUpdate";
    public const string MessageDelete = "messageDelete";
}

public sealed class ChannelAccount
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? AadObjectId { get; set; }
    public string? Role { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class ConversationAccount
{
    public bool? IsGroup { get; set; }
    public string? ConversationType { get; set; }
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? AadObjectId { get; set; }
    public string? Role { get; set; }
    public string? TenantId { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class Attachment
{
    public string? ContentType { get; set; }
    public string? ContentUrl { get; set; }
    public JsonNode? Content { get; set; }
    public string? Name { get; set; }
    public string? ThumbnailUrl { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>An entity (mention, clientInfo, ...): its type plus whatever fields that type has.</summary>
public sealed class Entity
{
    public string? Type { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class ConversationReference
{
    public string? ActivityId { get; set; }
    public ChannelAccount? User { get; set; }
    public ChannelAccount? Bot { get; set; }
    public ConversationAccount? Conversation { get; set; }
    public string? ChannelId { get; set; }
    public string? Locale { get; set; }
    public string? ServiceUrl { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>The Connector's answer to a send/reply/update: the activity id.</summary>
public sealed record ResourceResponse(string? Id);

public static class BotFrameworkJson
{
    /// <summary>Options for activities on the wire: camelCase, nulls omitted.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = BotFrameworkJsonContext.Default,
    };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Activity))]
[JsonSerializable(typeof(List<Activity>))]
[JsonSerializable(typeof(ConversationReference))]
[JsonSerializable(typeof(ResourceResponse))]
[JsonSerializable(typeof(ConversationParameters))]
[JsonSerializable(typeof(ConversationResourceResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(List<ChannelAccount>))]
internal sealed partial class BotFrameworkJsonContext : JsonSerializerContext;
