using System.Text.Json.Nodes;
using PartnerBot.Api.Identity;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.ApiKeys;

/// <summary>
/// Refuses any turn carrying a PartnerBot API key: a key typed or pasted into the chat is visible to whoever sees the
/// conversation, so it is not used, is masked before the transcript is stored, and the partner is told to revoke it.
/// </summary>
public sealed class ApiKeyGuard : IInputGuard
{
    public InputRefusal? Inspect(IncomingTurn turn)
    {
        if (!ApiKeyStore.ContainsKey(turn.Text) && !Holds(turn.Data)) return null;
        return new InputRefusal("the message contains an API key", new UiMessage(
            "That looks like an API key: please revoke it.",
            [
                new UiHeading("⚠️ Please revoke that key"),
                new UiText("Your message holds a **PartnerBot API key**. Anyone who sees this conversation could use it. " +
                           "Revoke it under **API keys** and create a new one; keep keys in your program's secret settings, never in a chat.",
                    UiTextTone.Attention),
            ],
            [new UiAction("API keys", ApiKeyRoutes.ApiKeys)]));
    }

    /// <summary>Keys become their hint (<c>pbk_…x7Qa</c>) before the transcript is stored.</summary>
    public string MaskForStorage(string text) => ApiKeyStore.ContainsKey(text) ? ApiKeyStore.MaskKeys(text) : text;

    private static bool Holds(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => ApiKeyStore.ContainsKey(s),
        JsonObject o => o.Any(p => Holds(p.Value)),
        JsonArray a => a.Any(Holds),
        _ => false,
    };
}
