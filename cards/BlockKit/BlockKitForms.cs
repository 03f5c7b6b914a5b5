using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerBot.Cards.Forms;

namespace PartnerBot.Cards.BlockKit;

/// <summary>Reads Slack form submissions (view_submission state, private_metadata) and builds the replies.</summary>
public static class BlockKitForms
{
    /// <summary>Prefix of an option value that stands for the option's index (used when the real value is longer than 75 characters).</summary>
    public const string IndexedOptionPrefix = "#opt:";

    internal static string OptionValue(string value, int index) =>
        value.Length <= 75 && !value.StartsWith(IndexedOptionPrefix, StringComparison.Ordinal) ? value : IndexedOptionPrefix + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The input values of a submitted view (<c>view.state.values</c>), keyed by action_id (= input id / variable name):
    /// text and numbers as typed, toggles "true"/"false", selects by value, multi selects comma-joined, dates YYYY-MM-DD.
    /// Pass <paramref name="step"/> to map index-coded option values back to their real values.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> ReadValues(JsonObject viewStateValues, UiFormStep? step = null)
    {
        ArgumentNullException.ThrowIfNull(viewStateValues);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (_, blockNode) in viewStateValues)
        {
            if (blockNode is not JsonObject block) continue;
            foreach (var (actionId, elementNode) in block)
            {
                if (elementNode is not JsonObject element) continue;
                var input = step?.Inputs.FirstOrDefault(i => i.Id == actionId);
                values[actionId] = (string?)element["type"] switch
                {
                    "checkboxes" => (element["selected_options"] as JsonArray)?.Count > 0
                        ? string.Join(",", ((JsonArray)element["selected_options"]!).Select(o => (string?)o?["value"]))
                        : "false",
                    "static_select" or "external_select" or "radio_buttons" =>
                        Decode((string?)element["selected_option"]?["value"], input),
                    "multi_static_select" or "multi_external_select" =>
                        string.Join(",", (element["selected_options"] as JsonArray ?? []).Select(o => Decode((string?)o?["value"], input))),
                    "datepicker" => (string?)element["selected_date"],
                    "timepicker" => (string?)element["selected_time"],
                    _ => element["value"] is JsonValue v ? v.ToString() : null,
                };
            }
        }
        return values;
    }

    /// <summary>
    /// Maps index-coded option values (<see cref="IndexedOptionPrefix"/>) of <paramref name="input"/> back to the real
    /// values; a multi choice's comma-joined list is mapped item by item. Other text is returned unchanged.
    /// </summary>
    public static string? DecodeOptionValues(string? value, UiInput input)
    {
        if (value is null || input.Options is null || !value.Contains(IndexedOptionPrefix, StringComparison.Ordinal)) return value;
        return input.Kind == UiInputKind.MultiChoice
            ? string.Join(",", value.Split(',').Select(v => Decode(v.Trim(), input)))
            : Decode(value, input);
    }

    private static string? Decode(string? value, UiInput? input)
    {
        if (value is null || input?.Options is null || !value.StartsWith(IndexedOptionPrefix, StringComparison.Ordinal)) return value;
        return int.TryParse(value.AsSpan(IndexedOptionPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < input.Options.Count
            ? input.Options[index].Value
            : value;
    }

    /// <summary>The form id and step carried in a modal's private_metadata, or null when it is not one of our forms.</summary>
    public static SlackFormPosition? ReadMetadata(string? privateMetadata)
    {
        if (string.IsNullOrWhiteSpace(privateMetadata)) return null;
        try
        {
            var node = JsonNode.Parse(privateMetadata) as JsonObject;
            return node?["formId"] is JsonValue f && f.TryGetValue<string>(out var formId) && node["step"] is JsonValue s && s.TryGetValue<int>(out var step)
                ? new SlackFormPosition(formId, step)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The view_submission reply that shows <paramref name="errors"/> (keyed by input id = block_id) under the inputs.</summary>
    public static JsonObject ErrorsResponse(IReadOnlyDictionary<string, string> errors)
    {
        var map = new JsonObject();
        foreach (var (blockId, message) in errors) map[blockId] = Text.CardText.Plain(message, 1000);
        return new JsonObject { ["response_action"] = "errors", ["errors"] = map };
    }

    /// <summary>The view_submission reply that replaces the modal with <paramref name="view"/> (e.g. the next step).</summary>
    public static JsonObject UpdateResponse(JsonObject view) => new() { ["response_action"] = "update", ["view"] = view };
}

public sealed record SlackFormPosition(string FormId, int Step);

/// <summary>Reads button actions (block_actions) rendered by <see cref="BlockKitRenderer"/>.</summary>
public static class BlockKitActions
{
    public const string VerbKey = "verb";

    /// <summary>The verb of an action_id: "deploy.pick:2" → "deploy.pick".</summary>
    public static string Verb(string actionId)
    {
        var colon = actionId.LastIndexOf(':');
        return colon > 0 && colon < actionId.Length - 1 && actionId.AsSpan(colon + 1).IndexOfAnyExceptInRange('0', '9') < 0
            ? actionId[..colon]
            : actionId;
    }

    /// <summary>The data of a button (its value parsed), or an empty object when the value is absent or not ours.</summary>
    public static JsonObject Data(string? value)
    {
        if (string.IsNullOrEmpty(value)) return new JsonObject();
        try { return JsonNode.Parse(value) as JsonObject ?? new JsonObject(); }
        catch (JsonException) { return new JsonObject(); }
    }
}
