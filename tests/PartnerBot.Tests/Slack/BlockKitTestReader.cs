using System.Text.Json.Nodes;

namespace PartnerBot.Tests.Slack;

/// <summary>Reading the Block Kit messages and modals the bot sends, and filling a modal's state as Slack does.</summary>
internal static class BlockKitTestReader
{
    public static IEnumerable<JsonObject> InputBlocks(JsonObject view) =>
        view["blocks"]!.AsArray().OfType<JsonObject>().Where(b => (string?)b["type"] == "input");

    public static IEnumerable<JsonObject> Buttons(JsonObject message) =>
        (message["blocks"] as JsonArray ?? []).OfType<JsonObject>().Where(b => (string?)b["type"] == "actions")
            .SelectMany(b => b["elements"]!.AsArray().OfType<JsonObject>()).Where(e => (string?)e["type"] == "button" && e["value"] is not null);

    public static string Verb(JsonObject button) => PartnerBot.Cards.BlockKit.BlockKitActions.Verb((string)button["action_id"]!);

    public static JsonObject Value(JsonObject button) => JsonNode.Parse((string)button["value"]!)!.AsObject();

    public static string Text(JsonObject message) => message["text"]!.ToString() + " " + message["blocks"]?.ToJsonString();

    /// <summary><c>view.state.values</c> of a submitted modal: <paramref name="values"/> by action id, the initial values otherwise.</summary>
    public static JsonObject ViewState(JsonObject view, IReadOnlyDictionary<string, string> values)
    {
        var state = new JsonObject();
        foreach (var block in InputBlocks(view))
        {
            var element = block["element"]!.AsObject();
            var actionId = (string)element["action_id"]!;
            values.TryGetValue(actionId, out var value);
            state[(string)block["block_id"]!] = new JsonObject { [actionId] = ElementState((string)element["type"]!, element, value) };
        }
        return state;
    }

    private static JsonObject ElementState(string type, JsonObject element, string? value)
    {
        var state = new JsonObject { ["type"] = type };
        switch (type)
        {
            case "static_select":
                value ??= (string?)element["initial_option"]?["value"];
                state["selected_option"] = value is null ? null : new JsonObject { ["value"] = value };
                break;
            case "multi_static_select":
                state["selected_options"] = value is null
                    ? element["initial_options"]?.DeepClone() ?? new JsonArray()
                    : new JsonArray(value.Split(',').Select(v => (JsonNode?)new JsonObject { ["value"] = v }).ToArray());
                break;
            case "checkboxes":
                var on = value is null ? (element["initial_options"] as JsonArray)?.Count > 0 : value == "true";
                state["selected_options"] = on ? new JsonArray(new JsonObject { ["value"] = "true" }) : new JsonArray();
                break;
            case "datepicker":
                state["selected_date"] = value ?? (string?)element["initial_date"];
                break;
            default:
                state["value"] = value ?? (string?)element["initial_value"];
                break;
        }
        return state;
    }
}
