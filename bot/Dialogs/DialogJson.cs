using System.Text.Json;
using System.Text.Json.Serialization;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Bot.Dialogs;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<DialogInstance>))]
[JsonSerializable(typeof(ConversationState))]
internal sealed partial class DialogJson : JsonSerializerContext
{
    public static DialogJson Context { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web));
}
