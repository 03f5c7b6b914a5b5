using System.Globalization;
using System.Text.Json.Nodes;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;
using PartnerBot.Cards.Text;

namespace PartnerBot.Cards.AdaptiveCards;

public static partial class AdaptiveCardRenderer
{
    /// <summary>Budget for one card's compact UTF-8 JSON (the Teams-everywhere safe size).</summary>
    public const int MaxCardBytes = 28_000;

    /// <summary>
    /// One step of <paramref name="form"/> with the current <paramref name="values"/> (by input id) and server-side
    /// <paramref name="errors"/> (by input id). Actions: Next or Submit, Back (not on the first step), Cancel.
    /// Back sends the inputs too, so what was typed on this step is kept; Cancel sends none.
    /// </summary>
    public static JsonObject RenderFormStep(UiForm form, int stepIndex, IReadOnlyDictionary<string, string?> values,
        IReadOnlyDictionary<string, string> errors, CardHost host)
    {
        ArgumentNullException.ThrowIfNull(form);
        var step = form.Step(stepIndex);
        values ??= new Dictionary<string, string?>();
        errors ??= new Dictionary<string, string>();
        // Very long help/error texts can push a big step over the size budget; shorter texts keep every input.
        JsonObject card = null!;
        foreach (var budget in TextBudget.Steps)
        {
            card = BuildFormStep(form, stepIndex, step, values, errors, host, budget);
            if (CardJson.Utf8Size(card) <= MaxCardBytes) break;
        }
        return card;
    }

    private static JsonObject BuildFormStep(UiForm form, int stepIndex, UiFormStep step, IReadOnlyDictionary<string, string?> values,
        IReadOnlyDictionary<string, string> errors, CardHost host, TextBudget b)
    {
        var body = new JsonArray
        {
            Heading(CardText.Literal(form.Title, b.Heading, keepNewLines: false), "Large"),
            TextBlock(CardText.Literal(StepCaption(form, stepIndex), b.Heading, keepNewLines: false), UiTextTone.Subtle),
        };
        if (!string.IsNullOrWhiteSpace(step.Description))
            body.Add(TextBlock(CardText.Literal(step.Description, b.Text)));
        var stepErrors = step.Inputs.Count(i => errors.ContainsKey(i.Id));
        if (stepErrors > 0)
            body.Add(TextBlock(stepErrors == 1 ? "Please fix the field marked below." : $"Please fix the {stepErrors} fields marked below.", UiTextTone.Attention));

        List<UiFact>? readOnly = null;
        foreach (var input in step.Inputs)
        {
            values.TryGetValue(input.Id, out var value);
            value ??= input.DefaultValue;
            if (input.ReadOnly)
            {
                (readOnly ??= []).Add(new UiFact(input.Label, ReadOnlyText(input, value)));
                continue;
            }
            if (readOnly is not null) { body.Add(ReadOnlyBlock(readOnly, b)); readOnly = null; }

            body.Add(Input(input, value, b));
            if (!string.IsNullOrWhiteSpace(input.HelpText))
                body.Add(Help(CardText.Literal(input.HelpText, b.HelpText)));
            if (errors.TryGetValue(input.Id, out var error))
                body.Add(new JsonObject
                {
                    ["type"] = "TextBlock", ["text"] = "⚠ " + CardText.Literal(error, b.ErrorText),
                    ["color"] = "Attention", ["size"] = "Small", ["wrap"] = true, ["spacing"] = "None",
                });
        }
        if (readOnly is not null) body.Add(ReadOnlyBlock(readOnly, b));

        var last = stepIndex == form.Steps.Count - 1;
        var actions = new JsonArray
        {
            FormAction(last ? form.Submit : "Next", last ? CardVerbs.FormSubmit : CardVerbs.FormNext, form, stepIndex, host, UiActionStyle.Primary, sendInputs: true, b),
        };
        if (stepIndex > 0) actions.Add(FormAction("Back", CardVerbs.FormBack, form, stepIndex, host, UiActionStyle.Default, sendInputs: true, b));
        actions.Add(FormAction("Cancel", CardVerbs.FormCancel, form, stepIndex, host, UiActionStyle.Default, sendInputs: false, b));
        return Card(body, actions, $"{form.Title}: {StepCaption(form, stepIndex)}", b);
    }

    /// <summary>Key, in a form action's data, of the list of secret input keys the press submits.</summary>
    public const string SecretsKey = "secrets";

    private static readonly HashSet<string> ActionDataKeys = new(StringComparer.Ordinal) { VerbKey, "formId", "step", SecretsKey, UiActionOwner.DataKey };

    /// <summary>
    /// The card input id of a form input: its id, except when that is one of the action data keys
    /// (<c>verb</c>, <c>formId</c>, <c>step</c>, <c>owner</c>), which would collide in the submitted value (data + inputs); those get an
    /// <c>input:</c> prefix. <see cref="AdaptiveCardForms.ReadValues"/> maps them back.
    /// </summary>
    public static string InputKey(string inputId) => ActionDataKeys.Contains(inputId) ? "input:" + inputId : inputId;

    public static string StepCaption(UiForm form, int stepIndex)
    {
        var step = form.Steps[stepIndex];
        return $"Step {stepIndex + 1} of {form.Steps.Count}: {step.Title}{(step.Optional ? " (optional)" : "")}";
    }

    private static JsonObject Help(string text) => new()
    {
        ["type"] = "TextBlock", ["text"] = NonEmpty(text), ["isSubtle"] = true, ["size"] = "Small", ["wrap"] = true, ["spacing"] = "None",
    };

    private static JsonObject ReadOnlyBlock(IReadOnlyList<UiFact> facts, TextBudget b) => new()
    {
        ["type"] = "Container",
        ["style"] = "emphasis",
        ["items"] = new JsonArray(
            TextBlock("Can't be changed after deployment:", UiTextTone.Subtle, small: true),
            FactSet(facts, b)),
    };

    private static string ReadOnlyText(UiInput input, string? value) =>
        input.Kind == UiInputKind.Secret ? (string.IsNullOrEmpty(value) ? "(not set)" : "••••••")
        : string.IsNullOrEmpty(value) ? "(not set)"
        : input.Options?.FirstOrDefault(o => o.Value == value)?.Title ?? value;

    private static JsonObject Input(UiInput input, string? value, TextBudget b)
    {
        var label = NonEmpty(CardText.Plain(input.Label, b.InputLabel));
        JsonObject node;
        switch (input.Kind)
        {
            case UiInputKind.Toggle:
                // isRequired on a toggle would force it on; a toggle always submits a value anyway.
                node = new JsonObject
                {
                    ["type"] = "Input.Toggle", ["id"] = InputKey(input.Id), ["title"] = label,
                    ["value"] = string.Equals(value, "true", StringComparison.OrdinalIgnoreCase) ? "true" : "false",
                    ["valueOn"] = "true", ["valueOff"] = "false", ["wrap"] = true,
                };
                return node;
            case UiInputKind.Number:
                node = new JsonObject { ["type"] = "Input.Number", ["id"] = InputKey(input.Id), ["label"] = label };
                if (decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) node["value"] = number;
                if (input.Min is { } min) node["min"] = min;
                if (input.Max is { } max) node["max"] = max;
                break;
            case UiInputKind.Choice or UiInputKind.MultiChoice:
                var choices = new JsonArray();
                foreach (var option in input.Options ?? [])
                    choices.Add(new JsonObject { ["title"] = NonEmpty(CardText.Plain(option.Title, b.ChoiceTitle)), ["value"] = option.Value });
                var multi = input.Kind == UiInputKind.MultiChoice;
                node = new JsonObject
                {
                    ["type"] = "Input.ChoiceSet", ["id"] = InputKey(input.Id), ["label"] = label, ["choices"] = choices,
                    ["style"] = multi && choices.Count <= 8 ? "expanded" : "compact", ["wrap"] = true,
                };
                if (multi) node["isMultiSelect"] = true;
                if (!string.IsNullOrEmpty(value)) node["value"] = value;
                break;
            case UiInputKind.Date:
                node = new JsonObject { ["type"] = "Input.Date", ["id"] = InputKey(input.Id), ["label"] = label };
                // Date inputs take YYYY-MM-DD only; anything else would be dropped or rejected by the client.
                if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) node["value"] = value;
                break;
            default:
                node = new JsonObject { ["type"] = "Input.Text", ["id"] = InputKey(input.Id), ["label"] = label };
                if (input.Kind == UiInputKind.MultiLine) node["isMultiline"] = true;
                if (input.Kind == UiInputKind.Secret)
                {
                    node["style"] = "password";
                    // Secrets are never echoed back into a card.
                    if (!string.IsNullOrEmpty(value)) node["placeholder"] = "Already set; leave empty to keep it";
                }
                else if (!string.IsNullOrEmpty(value)) node["value"] = value;
                if (input.Pattern is not null && input.Kind != UiInputKind.MultiLine) node["regex"] = input.Pattern;
                if (input.MaxLength is { } maxLength) node["maxLength"] = maxLength;
                if (input.Placeholder is not null && !node.ContainsKey("placeholder"))
                    node["placeholder"] = CardText.Plain(input.Placeholder, b.Placeholder);
                break;
        }
        var secretAlreadySet = input.Kind == UiInputKind.Secret && !string.IsNullOrEmpty(value);
        if (input.Required && !secretAlreadySet) node["isRequired"] = true;
        node["errorMessage"] = CardText.Plain(input.ErrorText ?? DefaultError(input), b.ErrorText);
        return node;
    }

    private static string DefaultError(UiInput input) => input.Kind switch
    {
        UiInputKind.Number when input.Min is not null || input.Max is not null =>
            $"Enter a number{(input.Min is { } min ? $" from {min.ToString(CultureInfo.InvariantCulture)}" : "")}{(input.Max is { } max ? $" up to {max.ToString(CultureInfo.InvariantCulture)}" : "")}.",
        _ when input.Pattern is not null => $"{input.Label} does not have the expected format.",
        _ => $"{input.Label} is required.",
    };

    private static JsonObject FormAction(string title, string verb, UiForm form, int stepIndex, CardHost host, UiActionStyle style, bool sendInputs, TextBudget b)
    {
        var data = new JsonObject { ["formId"] = form.FormId, ["step"] = stepIndex };
        if (form.Owner is { } owner) data = owner.Stamp(data);
        // Names the secret inputs this press sends, so a channel that keeps a transcript can leave their values out.
        var secrets = form.Step(stepIndex).Inputs.Where(i => i.Kind == UiInputKind.Secret).Select(i => (JsonNode)InputKey(i.Id)).ToArray();
        if (sendInputs && secrets.Length > 0) data[SecretsKey] = new JsonArray(secrets);
        var action = RenderAction(new UiAction(title, verb, data, style), host, b);
        if (!sendInputs) action["associatedInputs"] = "None";
        return action;
    }
}
