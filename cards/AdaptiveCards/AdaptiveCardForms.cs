using System.Text.Json.Nodes;
using PartnerBot.Cards.Forms;

namespace PartnerBot.Cards.AdaptiveCards;

/// <summary>Reads what an Adaptive Card form step submitted (the value object: action data + inputs keyed by id).</summary>
public static class AdaptiveCardForms
{
    /// <summary>The verb, form id and step of a form action, or null when the value is not a form action.</summary>
    public static FormActionRef? ReadAction(JsonObject submitted)
    {
        ArgumentNullException.ThrowIfNull(submitted);
        if (submitted[AdaptiveCardRenderer.VerbKey] is not JsonValue verbNode || !verbNode.TryGetValue<string>(out var verb)) return null;
        if (submitted["formId"] is not JsonValue formNode || !formNode.TryGetValue<string>(out var formId)) return null;
        var step = submitted["step"] switch
        {
            JsonValue v when v.TryGetValue<int>(out var i) => i,
            JsonValue v when v.TryGetValue<string>(out var s) && int.TryParse(s, out var i) => i,
            _ => -1,
        };
        return step < 0 ? null : new FormActionRef(verb, formId, step);
    }

    /// <summary>
    /// The values of <paramref name="step"/>'s editable inputs as text: toggles "true"/"false", multi choice
    /// comma-joined (as the clients send them), numbers as written. Inputs absent from the submission are absent.
    /// Works for any channel's submission mapped to the same shape (e.g. Slack view state), including Slack's
    /// index-coded long option values.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> ReadValues(JsonObject submitted, UiFormStep step)
    {
        ArgumentNullException.ThrowIfNull(submitted);
        ArgumentNullException.ThrowIfNull(step);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var input in step.Inputs)
        {
            if (input.ReadOnly || !submitted.TryGetPropertyValue(AdaptiveCardRenderer.InputKey(input.Id), out var node)) continue;
            values[input.Id] = BlockKit.BlockKitForms.DecodeOptionValues(node switch
            {
                null => null,
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
                JsonArray a => string.Join(",", a.Select(e => e is JsonValue ev && ev.TryGetValue<string>(out var es) ? es : e?.ToJsonString())),
                _ => node.ToJsonString(),
            }, input);
        }
        return values;
    }
}

/// <summary>Which form button was pressed: verb (<c>form.next</c>, ...), form id and the step it was pressed on.</summary>
public sealed record FormActionRef(string Verb, string FormId, int Step);
