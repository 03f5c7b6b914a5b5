using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Conversations;

/// <summary>
/// Checks every turn before it is routed. A guard that refuses a turn keeps it out of the dialogs, the conversation
/// state and the logs; the conversation root answers with <see cref="InputRefusal.Message"/> and removes the input
/// from the channel's stored history where the channel allows it.
/// </summary>
public interface IInputGuard
{
    /// <summary>Null to let the turn through, or why it is refused.</summary>
    InputRefusal? Inspect(IncomingTurn turn);

    /// <summary>
    /// <paramref name="text"/> with the secrets this guard recognises masked, for channels that store what users send
    /// (the Direct Line transcript): a secret must never reach storage, even in a message that is refused.
    /// </summary>
    string MaskForStorage(string text) => text;
}

/// <summary>Applies every guard's masking to the strings of a user's input before a channel stores it.</summary>
public static class InputMasking
{
    /// <summary>The masked text, or the same instance when nothing was masked.</summary>
    public static string? Mask(IEnumerable<IInputGuard> guards, string? text) =>
        text is null ? null : guards.Aggregate(text, (current, guard) => guard.MaskForStorage(current));

    /// <summary>
    /// The input keys a form press names as secret (<see cref="PartnerBot.Cards.AdaptiveCards.AdaptiveCardRenderer.SecretsKey"/>
    /// in its data), so a channel that stores what users send can leave those values out.
    /// </summary>
    public static IReadOnlySet<string> SecretInputKeys(System.Text.Json.Nodes.JsonNode? data) =>
        data is System.Text.Json.Nodes.JsonObject submitted && submitted[PartnerBot.Cards.AdaptiveCards.AdaptiveCardRenderer.SecretsKey] is System.Text.Json.Nodes.JsonArray secrets
            ? secrets.Select(k => k is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var key) ? key : null).OfType<string>().ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>();

    /// <summary>A masked copy of <paramref name="node"/>, or null when it holds nothing to mask.</summary>
    public static System.Text.Json.Nodes.JsonNode? MaskedCopy(IReadOnlyList<IInputGuard> guards, System.Text.Json.Nodes.JsonNode? node)
    {
        if (node is null || guards.Count == 0) return null;
        var changed = false;
        System.Text.Json.Nodes.JsonNode? Visit(System.Text.Json.Nodes.JsonNode? n)
        {
            switch (n)
            {
                case System.Text.Json.Nodes.JsonValue v when v.TryGetValue<string>(out var s):
                    var masked = Mask(guards, s)!;
                    if (!ReferenceEquals(masked, s) && masked != s) { changed = true; return System.Text.Json.Nodes.JsonValue.Create(masked); }
                    return n.DeepClone();
                case System.Text.Json.Nodes.JsonObject o:
                    var copy = new System.Text.Json.Nodes.JsonObject();
                    foreach (var (key, value) in o) copy[key] = Visit(value);
                    return copy;
                case System.Text.Json.Nodes.JsonArray a:
                    return new System.Text.Json.Nodes.JsonArray(a.Select(Visit).ToArray());
                default:
                    return n?.DeepClone();
            }
        }
        var result = Visit(node);
        return changed ? result : null;
    }
}

/// <param name="Reason">For the log: what was found, never the input itself.</param>
/// <param name="Message">What to tell the user.</param>
public sealed record InputRefusal(string Reason, UiMessage Message);
