using System.Globalization;
using System.Text.Json.Nodes;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;
using PartnerBot.Cards.Text;

namespace PartnerBot.Cards.BlockKit;

/// <summary>
/// Renders <see cref="UiMessage"/>s as Slack messages and form steps as modal views, within Block Kit limits.
/// Buttons: <c>action_id</c> = verb (plus ":n" when the verb repeats; <see cref="BlockKitActions.Verb"/> strips it),
/// <c>value</c> = JSON text of the action data with <c>"verb"</c> inside.
/// </summary>
public static class BlockKitRenderer
{
    public const string FormCallbackId = "partnerbot.form";

    /// <summary>
    /// The message as one Slack message. Throws <see cref="InvalidOperationException"/> when it needs more than
    /// 50 blocks; use <see cref="RenderMessages"/> for content that may be that long.
    /// </summary>
    public static SlackMessage RenderMessage(UiMessage message)
    {
        var messages = RenderMessages(message);
        return messages.Count == 1
            ? messages[0]
            : throw new InvalidOperationException($"The message needs {messages.Count} Slack messages ({BlockKitLimits.MessageBlocks} blocks each); send RenderMessages(...) in order.");
    }

    /// <summary>The message as one or more Slack messages of at most 50 blocks each, in order (nothing is dropped).</summary>
    public static IReadOnlyList<SlackMessage> RenderMessages(UiMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        // A form step lives in a modal; in a message it is a button that opens it (Slack needs a click's trigger id).
        if (Forms.UiFormStepElement.In(message) is { } step) message = FormLauncher(step);
        var blocks = new List<JsonObject>();
        var ids = new ActionIds();
        foreach (var element in message.Body) AddElement(blocks, element, ids);
        foreach (var row in message.Actions.Chunk(BlockKitLimits.ActionsElements)) blocks.Add(ActionsBlock(row, ids));
        if (blocks.Count == 0) blocks.Add(Section(SlackText.FromMarkdown(message.Summary, BlockKitLimits.Text)));

        // The notification and fallback text is mrkdwn too: the bot's **bold** becomes *bold*, and & is escaped (CardText already turned < > into ‹ ›).
        var text = SlackText.FromMarkdown(message.Summary, 3000);
        var chunks = blocks.Chunk(BlockKitLimits.MessageBlocks).ToList();
        var result = new List<SlackMessage>(chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
            result.Add(new SlackMessage(
                chunks.Count == 1 ? SlackText.NonEmpty(text) : $"{SlackText.NonEmpty(CardText.Trim(text, 2980))} ({i + 1}/{chunks.Count})",
                new JsonArray(chunks[i].Cast<JsonNode?>().ToArray())));
        return result;
    }

    private static void AddElement(List<JsonObject> blocks, UiElement element, ActionIds ids)
    {
        switch (element)
        {
            case UiHeading h:
                blocks.Add(new JsonObject { ["type"] = "header", ["text"] = SlackText.PlainText(h.Text, BlockKitLimits.HeaderText) });
                break;
            case UiText t:
                var mrkdwn = SlackText.FromMarkdown(t.Markdown, 12_000);
                foreach (var piece in SplitText(ToneMark(t.Tone) + mrkdwn, BlockKitLimits.Text))
                    blocks.Add(t.Tone == UiTextTone.Subtle
                        ? new JsonObject { ["type"] = "context", ["elements"] = new JsonArray(SlackText.Mrkdwn(piece)) }
                        : Section(piece));
                break;
            case UiFactSet f:
                foreach (var chunk in f.Facts.Chunk(BlockKitLimits.SectionFields))
                {
                    var fields = new JsonArray();
                    foreach (var fact in chunk)
                        fields.Add(SlackText.Mrkdwn($"*{SlackText.Literal(fact.Title, 100)}*\n{SlackText.Literal(fact.Value, 1800)}"));
                    blocks.Add(new JsonObject { ["type"] = "section", ["fields"] = fields });
                }
                break;
            case UiImage i:
                if (Uri.TryCreate(i.Url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && i.Url.Length <= BlockKitLimits.Url)
                    blocks.Add(new JsonObject
                    {
                        ["type"] = "image", ["image_url"] = i.Url,
                        ["alt_text"] = SlackText.NonEmpty(CardText.Plain(i.AltText, BlockKitLimits.AltText)),
                    });
                else
                    blocks.Add(Context(SlackText.Literal(string.IsNullOrWhiteSpace(i.AltText) ? "(image)" : i.AltText, 500)));
                break;
            case UiBadge b:
                blocks.Add(Context($"{ToneMark(b.Tone)}*{SlackText.Literal(b.Text, 100)}*"));
                break;
            case UiActionRow r:
                foreach (var row in r.Actions.Chunk(BlockKitLimits.ActionsElements)) blocks.Add(ActionsBlock(row, ids));
                break;
            case UiTextInput i:
                var field = new JsonObject
                {
                    ["type"] = "plain_text_input",
                    ["action_id"] = ids.Next(i.Submit.Verb),
                    ["dispatch_action_config"] = new JsonObject { ["trigger_actions_on"] = new JsonArray("on_enter_pressed") },
                };
                if (!string.IsNullOrEmpty(i.Value)) field["initial_value"] = CardText.Plain(i.Value, 300);
                if (i.Placeholder is not null) field["placeholder"] = SlackText.PlainText(i.Placeholder, BlockKitLimits.Placeholder);
                blocks.Add(new JsonObject
                {
                    ["type"] = "input", ["block_id"] = i.Id, ["dispatch_action"] = true, ["optional"] = true,
                    ["label"] = SlackText.PlainText(i.Label, 200), ["element"] = field,
                });
                blocks.Add(ActionsBlock([i.Submit], ids));
                break;
            case UiContainer c:
                if (c.Separator) blocks.Add(new JsonObject { ["type"] = "divider" });
                foreach (var item in c.Items) AddElement(blocks, item, ids);
                break;
            case UiSecretValue secret:
                // Block Kit has no masked field: channels send a message holding a secret ephemerally, to its user only.
                blocks.Add(Section($"*{SlackText.Literal(secret.Label, 100)}*\n`{secret.Value}`"));
                break;
            default:
                throw new NotSupportedException($"No Block Kit rendering for {element.GetType().Name}.");
        }
    }

    private static string ToneMark(UiTextTone tone) => tone switch
    {
        UiTextTone.Good => "✅ ",
        UiTextTone.Warning => "⚠️ ",
        UiTextTone.Attention => "❗ ",
        _ => "",
    };

    internal static IEnumerable<string> SplitText(string text, int max)
    {
        while (text.Length > max)
        {
            var cut = text.LastIndexOf('\n', max - 1);
            if (cut < max / 2) cut = text.LastIndexOf(' ', max - 1);
            if (cut < max / 2) cut = max;
            if (char.IsHighSurrogate(text[cut - 1])) cut--;
            yield return text[..cut];
            text = text[cut..].TrimStart('\n', ' ');
        }
        if (text.Length > 0) yield return text;
    }

    private static JsonObject Section(string mrkdwn) => new() { ["type"] = "section", ["text"] = SlackText.Mrkdwn(mrkdwn) };

    private static JsonObject Context(string mrkdwn) => new() { ["type"] = "context", ["elements"] = new JsonArray(SlackText.Mrkdwn(mrkdwn)) };

    private static JsonObject ActionsBlock(IEnumerable<UiAction> actions, ActionIds ids)
    {
        var elements = new JsonArray();
        foreach (var action in actions) elements.Add(Button(action, ids));
        return new JsonObject { ["type"] = "actions", ["elements"] = elements };
    }

    /// <summary>A button; its value is the action data as JSON text with the verb inside.</summary>
    private static JsonObject Button(UiAction action, ActionIds ids)
    {
        var button = new JsonObject
        {
            ["type"] = "button",
            ["text"] = SlackText.PlainText(action.Title, BlockKitLimits.ButtonText),
            ["action_id"] = ids.Next(action.Url is null ? action.Verb : "link"),
        };
        if (action.Url is not null)
        {
            if (action.Url.Length > BlockKitLimits.Url) throw new ArgumentException($"Button '{action.Title}': URL longer than {BlockKitLimits.Url} characters.");
            button["url"] = action.Url;
        }
        else
        {
            var data = action.Data?.DeepClone().AsObject() ?? new JsonObject();
            data[BlockKitActions.VerbKey] = action.Verb;
            var value = data.ToJsonString(CardJson.Options);
            if (value.Length > BlockKitLimits.ButtonValue)
                throw new ArgumentException($"Button '{action.Title}' ({action.Verb}): data is {value.Length} characters, Slack allows {BlockKitLimits.ButtonValue}; keep large state on the server and pass an id.");
            button["value"] = value;
        }
        switch (action.Style)
        {
            case UiActionStyle.Primary: button["style"] = "primary"; break;
            case UiActionStyle.Destructive: button["style"] = "danger"; break;
        }
        return button;
    }

    /// <summary>
    /// One form step as a modal view (for views.open / views.update / response_action update). Input blocks use
    /// the input id (variable name) as block_id and action_id; private_metadata carries formId and step.
    /// </summary>
    /// <summary>What a message shows for a form step: its title, progress, errors, and a button to open the modal.</summary>
    public static UiMessage FormLauncher(Forms.UiFormStepElement step)
    {
        var body = new List<UiElement>
        {
            new UiHeading(step.Form.Title),
            new UiText($"Step {step.StepIndex + 1} of {step.Form.Steps.Count}: {step.Step.Title}", UiTextTone.Subtle),
        };
        if (step.Errors.Count > 0)
            body.Add(new UiText(string.Join("\n", step.Errors.Select(e => $"• {e.Key}: {e.Value}")), UiTextTone.Attention));
        var data = new JsonObject { ["formId"] = step.Form.FormId, ["step"] = step.StepIndex };
        if (step.Form.Owner is { } owner) data = owner.Stamp(data);
        return new UiMessage(step.ToMessage().Summary, body, [new UiAction("Open form", OpenFormVerb, data, UiActionStyle.Primary)]);
    }

    /// <summary>The verb of the button that opens a form step as a modal.</summary>
    public const string OpenFormVerb = CardVerbs.FormOpen;

    public static JsonObject RenderModal(UiForm form, int stepIndex, IReadOnlyDictionary<string, string?> values, IReadOnlyDictionary<string, string> errors)
    {
        ArgumentNullException.ThrowIfNull(form);
        var step = form.Step(stepIndex);
        values ??= new Dictionary<string, string?>();
        errors ??= new Dictionary<string, string>();
        var last = stepIndex == form.Steps.Count - 1;

        var blocks = new JsonArray { Context(SlackText.Literal(StepCaption(form, stepIndex), 500)) };
        if (!string.IsNullOrWhiteSpace(step.Description)) blocks.Add(Section(SlackText.Literal(step.Description, BlockKitLimits.Text)));
        var stepErrors = step.Inputs.Count(i => errors.ContainsKey(i.Id));
        if (stepErrors > 0) blocks.Add(Section(stepErrors == 1 ? "❗ Please fix the field marked below." : $"❗ Please fix the {stepErrors} fields marked below."));

        var readOnly = step.Inputs.Where(i => i.ReadOnly).ToList();
        if (readOnly.Count > 0)
        {
            blocks.Add(Context("Can't be changed after deployment:"));
            foreach (var chunk in readOnly.Chunk(BlockKitLimits.SectionFields))
            {
                var fields = new JsonArray();
                foreach (var input in chunk)
                {
                    values.TryGetValue(input.Id, out var value);
                    fields.Add(SlackText.Mrkdwn($"*{SlackText.Literal(input.Label, 200)}*\n{SlackText.Literal(ReadOnlyText(input, value ?? input.DefaultValue), 1500)}"));
                }
                blocks.Add(new JsonObject { ["type"] = "section", ["fields"] = fields });
            }
        }
        foreach (var input in step.Inputs.Where(i => !i.ReadOnly))
        {
            values.TryGetValue(input.Id, out var value);
            blocks.Add(InputBlock(input, value ?? input.DefaultValue));
            if (errors.TryGetValue(input.Id, out var error)) blocks.Add(Context("❗ " + SlackText.Literal(error, 1000)));
        }
        if (stepIndex > 0)
        {
            var back = new JsonObject
            {
                ["type"] = "button", ["text"] = SlackText.PlainText("Back", BlockKitLimits.ButtonText), ["action_id"] = CardVerbs.FormBack,
                ["value"] = new JsonObject { ["formId"] = form.FormId, ["step"] = stepIndex, [BlockKitActions.VerbKey] = CardVerbs.FormBack }.ToJsonString(CardJson.Options),
            };
            blocks.Add(new JsonObject { ["type"] = "actions", ["block_id"] = "form.nav", ["elements"] = new JsonArray(back) });
        }

        var metadata = new JsonObject { ["formId"] = form.FormId, ["step"] = stepIndex }.ToJsonString(CardJson.Options);
        if (metadata.Length > BlockKitLimits.PrivateMetadata)
            throw new ArgumentException($"Form id of {form.FormId.Length} characters does not fit Slack's private_metadata.");
        return new JsonObject
        {
            ["type"] = "modal",
            ["callback_id"] = FormCallbackId,
            ["title"] = SlackText.PlainText(form.Title, BlockKitLimits.ViewTitle),
            ["submit"] = SlackText.PlainText(last ? form.Submit : "Next", BlockKitLimits.ViewTitle),
            ["close"] = SlackText.PlainText("Cancel", BlockKitLimits.ViewTitle),
            ["private_metadata"] = metadata,
            ["notify_on_close"] = true,
            ["blocks"] = blocks,
        };
    }

    private static string StepCaption(UiForm form, int stepIndex)
    {
        var step = form.Steps[stepIndex];
        return $"{form.Title} · Step {stepIndex + 1} of {form.Steps.Count}: {step.Title}{(step.Optional ? " (optional)" : "")}";
    }

    private static string ReadOnlyText(UiInput input, string? value) =>
        input.Kind == UiInputKind.Secret ? (string.IsNullOrEmpty(value) ? "(not set)" : "••••••")
        : string.IsNullOrEmpty(value) ? "(not set)"
        : input.Options?.FirstOrDefault(o => o.Value == value)?.Title ?? value;

    private static JsonObject InputBlock(UiInput input, string? value)
    {
        var secretAlreadySet = input.Kind == UiInputKind.Secret && !string.IsNullOrEmpty(value);
        var block = new JsonObject
        {
            ["type"] = "input",
            ["block_id"] = input.Id,
            ["label"] = SlackText.PlainText(input.Label, 200),
            ["optional"] = !input.Required || input.Kind == UiInputKind.Toggle || secretAlreadySet,
            ["element"] = Element(input, value),
        };
        var hint = input.HelpText;
        if (input.Kind == UiInputKind.Secret) hint = (hint is null ? "" : hint + " ") + (secretAlreadySet ? "Already set; leave empty to keep it." : "Stored securely, never shown again.");
        if (!string.IsNullOrWhiteSpace(hint)) block["hint"] = SlackText.PlainText(hint, 600);
        return block;
    }

    private static JsonObject Element(UiInput input, string? value)
    {
        switch (input.Kind)
        {
            case UiInputKind.Toggle:
                var on = new JsonObject { ["text"] = SlackText.PlainText("Yes", BlockKitLimits.OptionText), ["value"] = "true" };
                var toggle = new JsonObject { ["type"] = "checkboxes", ["action_id"] = input.Id, ["options"] = new JsonArray(on) };
                if (string.Equals(value, "true", StringComparison.OrdinalIgnoreCase)) toggle["initial_options"] = new JsonArray(on.DeepClone());
                return toggle;
            case UiInputKind.Number:
                var number = new JsonObject { ["type"] = "number_input", ["action_id"] = input.Id, ["is_decimal_allowed"] = true };
                // Slack refuses a view whose initial value lies outside min/max; such a value is left for the user to fix.
                if (decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) &&
                    (input.Min is not { } low || (double)n >= low) && (input.Max is not { } high || (double)n <= high))
                    number["initial_value"] = n.ToString(CultureInfo.InvariantCulture);
                if (input.Min is { } min) number["min_value"] = min.ToString(CultureInfo.InvariantCulture);
                if (input.Max is { } max) number["max_value"] = max.ToString(CultureInfo.InvariantCulture);
                return number;
            case UiInputKind.Date:
                var date = new JsonObject { ["type"] = "datepicker", ["action_id"] = input.Id };
                if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) date["initial_date"] = value;
                return date;
            case UiInputKind.Choice or UiInputKind.MultiChoice:
                return Select(input, value);
            default:
                var text = new JsonObject { ["type"] = "plain_text_input", ["action_id"] = input.Id };
                if (input.Kind == UiInputKind.MultiLine) text["multiline"] = true;
                if (input.Kind != UiInputKind.Secret && !string.IsNullOrEmpty(value)) text["initial_value"] = value;
                // A prefilled value longer than max_length would make Slack refuse the view.
                if (input.MaxLength is { } maxLength && (value?.Length ?? 0) <= maxLength) text["max_length"] = Math.Min(maxLength, 3000);
                if (input.Placeholder is not null) text["placeholder"] = SlackText.PlainText(input.Placeholder, BlockKitLimits.Placeholder);
                return text;
        }
    }

    /// <summary>Static select; more than 100 options become option groups of 100 (up to 10,000 options).</summary>
    private static JsonObject Select(UiInput input, string? value)
    {
        var multi = input.Kind == UiInputKind.MultiChoice;
        var choices = input.Options ?? [];
        var options = choices.Select((c, i) => Option(c, i)).ToList();
        if (options.Count > BlockKitLimits.Options * BlockKitLimits.Options)
            throw new ArgumentException($"Input '{input.Id}' has {options.Count} options; Slack selects hold at most {BlockKitLimits.Options * BlockKitLimits.Options}.");
        var select = new JsonObject
        {
            ["type"] = multi ? "multi_static_select" : "static_select",
            ["action_id"] = input.Id,
            ["placeholder"] = SlackText.PlainText(multi ? "Choose any" : "Choose one", BlockKitLimits.Placeholder),
        };
        if (options.Count <= BlockKitLimits.Options) select["options"] = new JsonArray(options.Cast<JsonNode?>().ToArray());
        else
        {
            var groups = new JsonArray();
            var k = 0;
            foreach (var chunk in options.Chunk(BlockKitLimits.Options))
            {
                k++;
                groups.Add(new JsonObject
                {
                    ["label"] = SlackText.PlainText($"{k * 100 - 99}–{k * 100 - 100 + chunk.Length}", BlockKitLimits.OptionText),
                    ["options"] = new JsonArray(chunk.Cast<JsonNode?>().ToArray()),
                });
            }
            select["option_groups"] = groups;
        }
        var selected = string.IsNullOrEmpty(value) ? [] : multi ? value.Split(',').Select(s => s.Trim()).ToHashSet() : [value];
        var initial = choices.Select((c, i) => (c, i)).Where(p => selected.Contains(p.c.Value)).Select(p => (JsonNode?)Option(p.c, p.i)).ToArray();
        if (initial.Length > 0)
        {
            if (multi) select["initial_options"] = new JsonArray(initial);
            else select["initial_option"] = initial[0];
        }
        return select;
    }

    private static JsonObject Option(UiChoice choice, int index) => new()
    {
        ["text"] = SlackText.PlainText(choice.Title, BlockKitLimits.OptionText),
        ["value"] = BlockKitForms.OptionValue(choice.Value, index),
    };

    /// <summary>Unique action_ids within one message: the verb itself, then verb:2, verb:3, ...</summary>
    private sealed class ActionIds
    {
        private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);

        public string Next(string verb)
        {
            var count = _seen.TryGetValue(verb, out var c) ? c + 1 : 1;
            _seen[verb] = count;
            return count == 1 ? verb : $"{verb}:{count}";
        }
    }
}
