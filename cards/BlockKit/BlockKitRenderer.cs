using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerBot.Api.Json;
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
        using var blocks = new BlockWriter();
        var ids = new ActionIds();
        foreach (var element in message.Body) WriteElement(blocks, element, ids);
        foreach (var row in message.Actions.Chunk(BlockKitLimits.ActionsElements)) WriteActions(blocks, row, ids);
        if (blocks.Count == 0) WriteSection(blocks, SlackText.FromMarkdown(message.Summary, BlockKitLimits.Text));

        // The notification and fallback text is mrkdwn too: the bot's **bold** becomes *bold*, and & is escaped (CardText already turned < > into ‹ ›).
        var text = SlackText.FromMarkdown(message.Summary, 3000);
        var arrays = blocks.Finish();
        var result = new SlackMessage[arrays.Count];
        for (var i = 0; i < arrays.Count; i++)
            result[i] = new SlackMessage(
                arrays.Count == 1 ? SlackText.NonEmpty(text) : $"{SlackText.NonEmpty(CardText.Trim(text, 2980))} ({i + 1}/{arrays.Count})",
                arrays[i]);
        return result;
    }

    private static void WriteElement(BlockWriter blocks, UiElement element, ActionIds ids)
    {
        Utf8JsonWriter w;
        switch (element)
        {
            case UiHeading h:
                w = blocks.Begin(Names.Header);
                WritePlainText(w, Names.Text, h.Text, BlockKitLimits.HeaderText);
                w.WriteEndObject();
                break;
            case UiText t:
                var mrkdwn = SlackText.FromMarkdown(t.Markdown, 12_000);
                foreach (var piece in SplitText(ToneMark(t.Tone) + mrkdwn, BlockKitLimits.Text))
                {
                    if (t.Tone == UiTextTone.Subtle) WriteContext(blocks, piece);
                    else WriteSection(blocks, piece);
                }
                break;
            case UiFactSet f:
                foreach (var chunk in f.Facts.Chunk(BlockKitLimits.SectionFields))
                {
                    w = blocks.Begin(Names.Section);
                    w.WriteStartArray(Names.Fields);
                    foreach (var fact in chunk)
                        WriteMrkdwn(w, $"*{SlackText.Literal(fact.Title, 100)}*\n{SlackText.Literal(fact.Value, 1800)}");
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                break;
            case UiImage i:
                if (Uri.TryCreate(i.Url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && i.Url.Length <= BlockKitLimits.Url)
                {
                    w = blocks.Begin(Names.Image);
                    w.WriteString(Names.ImageUrl, i.Url);
                    w.WriteString(Names.AltText, SlackText.NonEmpty(CardText.Plain(i.AltText, BlockKitLimits.AltText)));
                    w.WriteEndObject();
                }
                else WriteContext(blocks, SlackText.Literal(string.IsNullOrWhiteSpace(i.AltText) ? "(image)" : i.AltText, 500));
                break;
            case UiBadge b:
                WriteContext(blocks, $"{ToneMark(b.Tone)}*{SlackText.Literal(b.Text, 100)}*");
                break;
            case UiActionRow r:
                foreach (var row in r.Actions.Chunk(BlockKitLimits.ActionsElements)) WriteActions(blocks, row, ids);
                break;
            case UiTextInput i:
                w = blocks.Begin(Names.Input);
                w.WriteString(Names.BlockId, i.Id);
                w.WriteBoolean(Names.DispatchAction, true);
                w.WriteBoolean(Names.Optional, true);
                WritePlainText(w, Names.Label, i.Label, 200);
                w.WriteStartObject(Names.Element);
                w.WriteString(Names.Type, Names.PlainTextInput);
                w.WriteString(Names.ActionId, ids.Next(i.Submit.Verb));
                w.WriteStartObject(Names.DispatchActionConfig);
                w.WriteStartArray(Names.TriggerActionsOn);
                w.WriteStringValue(Names.OnEnterPressed);
                w.WriteEndArray();
                w.WriteEndObject();
                if (!string.IsNullOrEmpty(i.Value)) w.WriteString(Names.InitialValue, CardText.Plain(i.Value, 300));
                if (i.Placeholder is not null) WritePlainText(w, Names.Placeholder, i.Placeholder, BlockKitLimits.Placeholder);
                w.WriteEndObject();
                w.WriteEndObject();
                WriteActions(blocks, [i.Submit], ids);
                break;
            case UiContainer c:
                if (c.Separator)
                {
                    w = blocks.Begin(Names.Divider);
                    w.WriteEndObject();
                }
                foreach (var item in c.Items) WriteElement(blocks, item, ids);
                break;
            case UiSecretValue secret:
                // Block Kit has no masked field: channels send a message holding a secret ephemerally, to its user only.
                WriteSection(blocks, $"*{SlackText.Literal(secret.Label, 100)}*\n`{secret.Value}`");
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

    private static void WriteSection(BlockWriter blocks, string mrkdwn)
    {
        var w = blocks.Begin(Names.Section);
        w.WritePropertyName(Names.Text);
        WriteMrkdwn(w, mrkdwn);
        w.WriteEndObject();
    }

    private static void WriteContext(BlockWriter blocks, string mrkdwn)
    {
        var w = blocks.Begin(Names.Context);
        w.WriteStartArray(Names.Elements);
        WriteMrkdwn(w, mrkdwn);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteMrkdwn(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString(Names.Type, Names.Mrkdwn);
        w.WriteString(Names.Text, SlackText.NonEmpty(text));
        w.WriteEndObject();
    }

    private static void WritePlainText(Utf8JsonWriter w, JsonEncodedText name, string? text, int maxLength)
    {
        w.WriteStartObject(name);
        w.WriteString(Names.Type, Names.PlainText);
        w.WriteString(Names.Text, SlackText.NonEmpty(CardText.Plain(text, maxLength)));
        w.WriteBoolean(Names.Emoji, true);
        w.WriteEndObject();
    }

    private static void WriteActions(BlockWriter blocks, IEnumerable<UiAction> actions, ActionIds ids)
    {
        var w = blocks.Begin(Names.Actions);
        w.WriteStartArray(Names.Elements);
        foreach (var action in actions) WriteButton(w, action, ids);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>A button; its value is the action data as JSON text with the verb inside.</summary>
    private static void WriteButton(Utf8JsonWriter w, UiAction action, ActionIds ids)
    {
        w.WriteStartObject();
        w.WriteString(Names.Type, Names.Button);
        WritePlainText(w, Names.Text, action.Title, BlockKitLimits.ButtonText);
        w.WriteString(Names.ActionId, ids.Next(action.Url is null ? action.Verb : "link"));
        if (action.Url is not null)
        {
            if (action.Url.Length > BlockKitLimits.Url) throw new ArgumentException($"Button '{action.Title}': URL longer than {BlockKitLimits.Url} characters.");
            w.WriteString(Names.Url, action.Url);
        }
        else
        {
            var value = ButtonValue(action);
            if (value.Length > BlockKitLimits.ButtonValue)
                throw new ArgumentException($"Button '{action.Title}' ({action.Verb}): data is {value.Length} characters, Slack allows {BlockKitLimits.ButtonValue}; keep large state on the server and pass an id.");
            w.WriteString(Names.Value, value);
        }
        switch (action.Style)
        {
            case UiActionStyle.Primary: w.WriteString(Names.Style, Names.Primary); break;
            case UiActionStyle.Destructive: w.WriteString(Names.Style, Names.Danger); break;
        }
        w.WriteEndObject();
    }

    /// <summary>The action data as compact JSON text with the verb set (in its place when the data names one, else last).</summary>
    private static string ButtonValue(UiAction action)
    {
        var buffer = ScratchBuffer.Rent();
        try
        {
            using (var w = new Utf8JsonWriter(buffer, CardJson.WriterOptions)) WriteActionData(w, action);
            return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        finally
        {
            ScratchBuffer.Return(buffer);
        }
    }

    /// <summary>The data, then the owner and the verb: each in its place when the data names it, else last.</summary>
    private static void WriteActionData(Utf8JsonWriter w, UiAction action)
    {
        w.WriteStartObject();
        var verbWritten = false;
        var ownerWritten = action.Owner is null;
        if (action.Data is { } data)
            foreach (var (key, node) in data)
            {
                if (key == BlockKitActions.VerbKey)
                {
                    w.WriteString(key, action.Verb);
                    verbWritten = true;
                    continue;
                }
                w.WritePropertyName(key);
                if (key == UiActionOwner.DataKey && action.Owner is { } named)
                {
                    named.WriteTo(w);
                    ownerWritten = true;
                }
                else if (node is null) w.WriteNullValue();
                else node.WriteTo(w);
            }
        if (!ownerWritten)
        {
            w.WritePropertyName(UiActionOwner.DataKey);
            action.Owner!.WriteTo(w);
        }
        if (!verbWritten) w.WriteString(BlockKitActions.VerbKey, action.Verb);
        w.WriteEndObject();
    }

    /// <summary>Block Kit's property names and fixed values, encoded once.</summary>
    private static class Names
    {
        public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
        public static readonly JsonEncodedText Text = JsonEncodedText.Encode("text");
        public static readonly JsonEncodedText Emoji = JsonEncodedText.Encode("emoji");
        public static readonly JsonEncodedText Elements = JsonEncodedText.Encode("elements");
        public static readonly JsonEncodedText Fields = JsonEncodedText.Encode("fields");
        public static readonly JsonEncodedText ActionId = JsonEncodedText.Encode("action_id");
        public static readonly JsonEncodedText BlockId = JsonEncodedText.Encode("block_id");
        public static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");
        public static readonly JsonEncodedText Url = JsonEncodedText.Encode("url");
        public static readonly JsonEncodedText Style = JsonEncodedText.Encode("style");
        public static readonly JsonEncodedText ImageUrl = JsonEncodedText.Encode("image_url");
        public static readonly JsonEncodedText AltText = JsonEncodedText.Encode("alt_text");
        public static readonly JsonEncodedText Label = JsonEncodedText.Encode("label");
        public static readonly JsonEncodedText Element = JsonEncodedText.Encode("element");
        public static readonly JsonEncodedText Optional = JsonEncodedText.Encode("optional");
        public static readonly JsonEncodedText DispatchAction = JsonEncodedText.Encode("dispatch_action");
        public static readonly JsonEncodedText DispatchActionConfig = JsonEncodedText.Encode("dispatch_action_config");
        public static readonly JsonEncodedText TriggerActionsOn = JsonEncodedText.Encode("trigger_actions_on");
        public static readonly JsonEncodedText InitialValue = JsonEncodedText.Encode("initial_value");
        public static readonly JsonEncodedText Placeholder = JsonEncodedText.Encode("placeholder");

        public static readonly JsonEncodedText Header = JsonEncodedText.Encode("header");
        public static readonly JsonEncodedText Section = JsonEncodedText.Encode("section");
        public static readonly JsonEncodedText Context = JsonEncodedText.Encode("context");
        public static readonly JsonEncodedText Actions = JsonEncodedText.Encode("actions");
        public static readonly JsonEncodedText Divider = JsonEncodedText.Encode("divider");
        public static readonly JsonEncodedText Image = JsonEncodedText.Encode("image");
        public static readonly JsonEncodedText Input = JsonEncodedText.Encode("input");
        public static readonly JsonEncodedText Button = JsonEncodedText.Encode("button");
        public static readonly JsonEncodedText Mrkdwn = JsonEncodedText.Encode("mrkdwn");
        public static readonly JsonEncodedText PlainText = JsonEncodedText.Encode("plain_text");
        public static readonly JsonEncodedText PlainTextInput = JsonEncodedText.Encode("plain_text_input");
        public static readonly JsonEncodedText OnEnterPressed = JsonEncodedText.Encode("on_enter_pressed");
        public static readonly JsonEncodedText Primary = JsonEncodedText.Encode("primary");
        public static readonly JsonEncodedText Danger = JsonEncodedText.Encode("danger");
    }

    // The modal's blocks, as nodes of its tree.
    private static JsonObject Section(string mrkdwn) => new() { ["type"] = "section", ["text"] = SlackText.Mrkdwn(mrkdwn) };

    private static JsonObject Context(string mrkdwn) => new() { ["type"] = "context", ["elements"] = new JsonArray(SlackText.Mrkdwn(mrkdwn)) };

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

    /// <summary>
    /// One form step as a modal view (for views.open / views.update / response_action update). Input blocks use
    /// the input id (variable name) as block_id and action_id; private_metadata carries formId and step.
    /// A view is a tree, not written bytes: the responder adds its own metadata to it before it is sent.
    /// </summary>
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
