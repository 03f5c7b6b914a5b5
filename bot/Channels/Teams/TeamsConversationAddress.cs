using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerBot.Bot.Channels.BotFramework;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>
/// The stored address of a Teams conversation: <c>{"reference": ConversationReference, "tenantId": "..."}</c>.
/// </summary>
public static class TeamsConversationAddress
{
    public static JsonObject From(ConversationReference reference, string? tenantId)
    {
        var address = new JsonObject
        {
            ["reference"] = JsonSerializer.SerializeToNode(reference, BotFrameworkJsonContext.Default.ConversationReference),
        };
        if (!string.IsNullOrEmpty(tenantId)) address["tenantId"] = tenantId;
        return address;
    }

    /// <summary>Reads an address back; null when it is not a usable Teams address.</summary>
    public static (ConversationReference Reference, string? TenantId)? Read(JsonObject address)
    {
        if (address["reference"] is not JsonObject node) return null;
        ConversationReference? reference;
        try { reference = node.Deserialize(BotFrameworkJsonContext.Default.ConversationReference); }
        catch (JsonException) { return null; }
        if (reference?.ServiceUrl is null || reference.Conversation?.Id is null) return null;
        var tenant = address["tenantId"] is JsonValue v && v.TryGetValue<string>(out var t) ? t : reference.Conversation.TenantId;
        return (reference, tenant);
    }
}
