using System.Text.Json.Nodes;

namespace PartnerBot.Cards.BlockKit;

/// <summary>
/// Checks Block Kit payloads against Slack's documented limits (PROTOCOLS.md §4.6). Returns every violation
/// as a readable path + message; an empty list means the payload is within limits.
/// </summary>
public static class BlockKitLimits
{
    public const int MessageBlocks = 50;
    public const int ViewBlocks = 100;
    public const int Id = 255;
    public const int Text = 3000;
    public const int SectionFields = 10;
    public const int FieldText = 2000;
    public const int HeaderText = 150;
    public const int ContextElements = 10;
    public const int ActionsElements = 25;
    public const int ViewTitle = 24;
    public const int PrivateMetadata = 3000;
    public const int ButtonText = 75;
    public const int ButtonValue = 2000;
    public const int Url = 3000;
    public const int InputLabel = 2000;
    public const int InputHint = 2000;
    public const int Placeholder = 150;
    public const int Options = 100;
    public const int OptionText = 75;
    public const int OptionValue = 75;
    public const int ChecklistOptions = 10;
    public const int AltText = 2000;

    public static IReadOnlyList<string> CheckMessage(JsonArray blocks)
    {
        var problems = new List<string>();
        if (blocks.Count > MessageBlocks) problems.Add($"blocks: {blocks.Count} > {MessageBlocks}");
        CheckBlocks(blocks, problems);
        return problems;
    }

    public static IReadOnlyList<string> CheckView(JsonObject view)
    {
        var problems = new List<string>();
        var blocks = view["blocks"] as JsonArray ?? [];
        if (blocks.Count > ViewBlocks) problems.Add($"blocks: {blocks.Count} > {ViewBlocks}");
        if ((string?)view["type"] is not ("modal" or "home")) problems.Add("type: must be modal or home");
        CheckTextObject(view["title"], "title", ViewTitle, problems, required: true, plainOnly: true);
        CheckTextObject(view["submit"], "submit", ViewTitle, problems, required: false, plainOnly: true);
        CheckTextObject(view["close"], "close", ViewTitle, problems, required: false, plainOnly: true);
        if (view["private_metadata"] is JsonValue pm && ((string?)pm)?.Length > PrivateMetadata) problems.Add($"private_metadata: > {PrivateMetadata}");
        if (view["callback_id"] is JsonValue cb && ((string?)cb)?.Length > Id) problems.Add($"callback_id: > {Id}");
        if (blocks.Any(b => (string?)b?["type"] == "input") && view["submit"] is null) problems.Add("submit: required when the view has input blocks");
        CheckBlocks(blocks, problems);
        return problems;
    }

    private static void CheckBlocks(JsonArray blocks, List<string> problems)
    {
        var blockIds = new HashSet<string>(StringComparer.Ordinal);
        var actionIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < blocks.Count; i++)
        {
            var path = $"blocks[{i}]";
            if (blocks[i] is not JsonObject block) { problems.Add($"{path}: not an object"); continue; }
            if ((string?)block["block_id"] is { } blockId)
            {
                if (blockId.Length > Id) problems.Add($"{path}.block_id: > {Id}");
                if (!blockIds.Add(blockId)) problems.Add($"{path}.block_id: '{blockId}' not unique");
            }
            switch ((string?)block["type"])
            {
                case "section":
                    if (block["text"] is null && block["fields"] is null) problems.Add($"{path}: section needs text or fields");
                    CheckTextObject(block["text"], path + ".text", Text, problems, required: false);
                    if (block["fields"] is JsonArray fields)
                    {
                        if (fields.Count > SectionFields) problems.Add($"{path}.fields: {fields.Count} > {SectionFields}");
                        for (var f = 0; f < fields.Count; f++) CheckTextObject(fields[f], $"{path}.fields[{f}]", FieldText, problems, required: true);
                    }
                    if (block["accessory"] is JsonObject accessory) CheckElement(accessory, path + ".accessory", actionIds, problems);
                    break;
                case "header":
                    CheckTextObject(block["text"], path + ".text", HeaderText, problems, required: true, plainOnly: true);
                    break;
                case "context":
                    var elements = block["elements"] as JsonArray ?? [];
                    if (elements.Count is 0 or > ContextElements) problems.Add($"{path}.elements: {elements.Count} not in 1..{ContextElements}");
                    for (var e = 0; e < elements.Count; e++)
                        if ((string?)elements[e]?["type"] == "image") CheckImage(elements[e]!.AsObject(), $"{path}.elements[{e}]", problems);
                        else CheckTextObject(elements[e], $"{path}.elements[{e}]", Text, problems, required: true);
                    break;
                case "actions":
                    var actions = block["elements"] as JsonArray ?? [];
                    if (actions.Count is 0 or > ActionsElements) problems.Add($"{path}.elements: {actions.Count} not in 1..{ActionsElements}");
                    for (var e = 0; e < actions.Count; e++) CheckElement(actions[e] as JsonObject, $"{path}.elements[{e}]", actionIds, problems);
                    break;
                case "input":
                    CheckTextObject(block["label"], path + ".label", InputLabel, problems, required: true, plainOnly: true);
                    CheckTextObject(block["hint"], path + ".hint", InputHint, problems, required: false, plainOnly: true);
                    if (block["element"] is not JsonObject element) problems.Add($"{path}.element: missing");
                    else CheckElement(element, path + ".element", actionIds, problems);
                    break;
                case "image":
                    CheckImage(block, path, problems);
                    break;
                case "divider":
                    break;
                default:
                    problems.Add($"{path}.type: unknown '{(string?)block["type"]}'");
                    break;
            }
        }
    }

    private static void CheckElement(JsonObject? element, string path, HashSet<string> actionIds, List<string> problems)
    {
        if (element is null) { problems.Add($"{path}: not an object"); return; }
        if ((string?)element["action_id"] is { } actionId)
        {
            if (actionId.Length > Id) problems.Add($"{path}.action_id: > {Id}");
            if (!actionIds.Add(actionId)) problems.Add($"{path}.action_id: '{actionId}' not unique");
        }
        CheckTextObject(element["placeholder"], path + ".placeholder", Placeholder, problems, required: false, plainOnly: true);
        switch ((string?)element["type"])
        {
            case "button":
                CheckTextObject(element["text"], path + ".text", ButtonText, problems, required: true, plainOnly: true);
                if (((string?)element["value"])?.Length > ButtonValue) problems.Add($"{path}.value: > {ButtonValue}");
                if (((string?)element["url"])?.Length > Url) problems.Add($"{path}.url: > {Url}");
                break;
            case "plain_text_input":
                foreach (var key in new[] { "min_length", "max_length" })
                    if (element[key] is JsonValue v && (int)v > 3000) problems.Add($"{path}.{key}: > 3000");
                break;
            case "static_select" or "multi_static_select":
                var options = element["options"] as JsonArray;
                var groups = element["option_groups"] as JsonArray;
                if ((options is null) == (groups is null)) problems.Add($"{path}: exactly one of options / option_groups");
                if (options is not null) CheckOptions(options, path + ".options", Options, problems);
                if (groups is not null)
                {
                    if (groups.Count > Options) problems.Add($"{path}.option_groups: {groups.Count} > {Options}");
                    for (var g = 0; g < groups.Count; g++)
                    {
                        CheckTextObject(groups[g]?["label"], $"{path}.option_groups[{g}].label", OptionText, problems, required: true, plainOnly: true);
                        CheckOptions(groups[g]?["options"] as JsonArray ?? [], $"{path}.option_groups[{g}].options", Options, problems);
                    }
                }
                break;
            case "checkboxes" or "radio_buttons":
                CheckOptions(element["options"] as JsonArray ?? [], path + ".options", ChecklistOptions, problems);
                break;
            case "overflow":
                var overflow = element["options"] as JsonArray ?? [];
                if (overflow.Count is < 2 or > 5) problems.Add($"{path}.options: {overflow.Count} not in 2..5");
                CheckOptions(overflow, path + ".options", 5, problems);
                break;
        }
    }

    private static void CheckOptions(JsonArray options, string path, int max, List<string> problems)
    {
        if (options.Count == 0 || options.Count > max) problems.Add($"{path}: {options.Count} not in 1..{max}");
        for (var o = 0; o < options.Count; o++)
        {
            var option = options[o];
            CheckTextObject(option?["text"], $"{path}[{o}].text", OptionText, problems, required: true);
            CheckTextObject(option?["description"], $"{path}[{o}].description", OptionText, problems, required: false);
            if (((string?)option?["value"])?.Length > OptionValue) problems.Add($"{path}[{o}].value: > {OptionValue}");
        }
    }

    private static void CheckImage(JsonObject image, string path, List<string> problems)
    {
        if (((string?)image["image_url"])?.Length is null or > Url) problems.Add($"{path}.image_url: missing or > {Url}");
        if (((string?)image["alt_text"])?.Length is null or 0 or > AltText) problems.Add($"{path}.alt_text: not in 1..{AltText}");
    }

    private static void CheckTextObject(JsonNode? node, string path, int max, List<string> problems, bool required, bool plainOnly = false)
    {
        if (node is null) { if (required) problems.Add($"{path}: missing"); return; }
        var type = (string?)node["type"];
        if (type is not ("plain_text" or "mrkdwn") || plainOnly && type != "plain_text") problems.Add($"{path}.type: '{type}' not allowed");
        var text = (string?)node["text"];
        if (string.IsNullOrEmpty(text) || text.Length > max) problems.Add($"{path}.text: length {text?.Length ?? 0} not in 1..{max}");
    }
}
