using System.Text.Json.Nodes;
using PartnerBot.Cards.Model;
using PartnerBot.Cards.Text;

namespace PartnerBot.Cards.AdaptiveCards;

/// <summary>
/// Renders <see cref="UiMessage"/>s (and, in the Forms part, form steps) as Adaptive Card 1.5 content.
/// Every routed button carries its verb twice: as <c>verb</c> of Action.Execute (Teams) and inside
/// <c>data</c> as <c>"verb"</c>, so a Web Chat Action.Submit returns it too (submitted value = data + inputs).
/// </summary>
public static partial class AdaptiveCardRenderer
{
    public const string ContentType = "application/vnd.microsoft.card.adaptive";
    public const string Version = "1.5";
    public const string SchemaUrl = "http://adaptivecards.io/schemas/adaptive-card.json";

    /// <summary>Key of the verb inside an action's data (and so inside the submitted value).</summary>
    public const string VerbKey = "verb";

    /// <summary>Teams shows at most 6 actions per action bar (host config maxActions); rows stay below that.</summary>
    public const int MaxActionsPerRow = 5;

    /// <summary>The card content for <paramref name="message"/> (a form step message becomes the step's card).</summary>
    public static JsonObject Render(UiMessage message, CardHost host)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Forms.UiFormStepElement.In(message) is { } step)
            return RenderFormStep(step.Form, step.StepIndex, step.Values, step.Errors, host);
        // Long texts (escaped emoji cost 12 bytes per UTF-16 unit) can exceed the size budget: shorten them, never drop elements.
        JsonObject card = null!;
        foreach (var budget in TextBudget.Steps)
        {
            card = Render(message, host, budget);
            if (CardJson.Utf8Size(card) <= MaxCardBytes) break;
        }
        return card;
    }

    private static JsonObject Render(UiMessage message, CardHost host, TextBudget budget)
    {
        var body = new JsonArray();
        foreach (var element in message.Body)
            foreach (var node in RenderElement(element, host, budget))
                body.Add(node);

        JsonArray? actions = null;
        if (message.Actions.Count <= MaxActionsPerRow)
        {
            if (message.Actions.Count > 0) actions = RenderActions(message.Actions, host, budget);
        }
        else
        {
            // More buttons than one bar shows: several rows in the body instead of a silently cut bar.
            foreach (var row in message.Actions.Chunk(MaxActionsPerRow))
                body.Add(ActionSet(row, host, budget));
        }
        return Card(body, actions, message.Summary, budget);
    }

    /// <summary>The attachment object <c>{ contentType, content }</c> for an activity's <c>attachments</c>.</summary>
    public static JsonObject RenderAttachment(UiMessage message, CardHost host) => Attachment(Render(message, host));

    public static JsonObject Attachment(JsonObject card) => new() { ["contentType"] = ContentType, ["content"] = card };

    internal static JsonObject Card(JsonArray body, JsonArray? actions, string? summary, TextBudget b)
    {
        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["$schema"] = SchemaUrl,
            ["version"] = Version,
            ["msteams"] = new JsonObject { ["width"] = "Full" },
        };
        var fallback = CardText.Plain(summary, b.FallbackText);
        if (fallback.Length > 0) card["fallbackText"] = fallback;
        card["body"] = body;
        if (actions is { Count: > 0 }) card["actions"] = actions;
        return card;
    }

    internal static IEnumerable<JsonObject> RenderElement(UiElement element, CardHost host, TextBudget b)
    {
        switch (element)
        {
            case UiHeading h:
                yield return Heading(CardText.Literal(h.Text, b.Heading, keepNewLines: false));
                break;
            case UiText t:
                yield return TextBlock(CardText.Markdown(t.Markdown, b.Text), t.Tone);
                break;
            case UiFactSet f:
                if (f.Facts.Count > 0) yield return FactSet(f.Facts, b);
                break;
            case UiImage i:
                yield return Image(i, host, b);
                break;
            case UiBadge badge:
                yield return Badge(badge, b);
                break;
            case UiActionRow r:
                foreach (var row in r.Actions.Chunk(MaxActionsPerRow)) yield return ActionSet(row, host, b);
                break;
            case UiContainer c:
                yield return Container(c, host, b);
                break;
            case UiTextInput i:
                var input = new JsonObject { ["type"] = "Input.Text", ["id"] = i.Id, ["label"] = NonEmpty(CardText.Plain(i.Label, b.InputLabel)) };
                if (!string.IsNullOrEmpty(i.Value)) input["value"] = CardText.Plain(i.Value, b.Placeholder * 2);
                if (i.Placeholder is not null) input["placeholder"] = CardText.Plain(i.Placeholder, b.Placeholder);
                yield return input;
                yield return ActionSet([i.Submit], host, b);
                break;
            case UiSecretValue secret:
                foreach (var node in SecretValue(secret, b)) yield return node;
                break;
            default:
                throw new NotSupportedException($"No Adaptive Card rendering for {element.GetType().Name}.");
        }
    }

    /// <summary>
    /// A masked field holding the secret and, hidden until "Show / hide" toggles them, the same value in a plain field
    /// to select and copy (browsers refuse to copy out of password fields). Adaptive Cards 1.5 has no read-only input.
    /// </summary>
    private static IEnumerable<JsonObject> SecretValue(UiSecretValue secret, TextBudget b)
    {
        var shownId = secret.Id + "Shown";
        var label = TextBlock(CardText.Literal(secret.Label, b.InputLabel, keepNewLines: false));
        label["weight"] = "Bolder";
        yield return label;
        yield return new JsonObject
        {
            ["type"] = "Input.Text", ["id"] = secret.Id, ["style"] = "Password", ["value"] = secret.Value,
        };
        yield return new JsonObject
        {
            ["type"] = "Input.Text", ["id"] = shownId, ["value"] = secret.Value, ["isVisible"] = false,
        };
        yield return new JsonObject
        {
            ["type"] = "ActionSet",
            ["actions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Action.ToggleVisibility",
                ["title"] = "Show / hide",
                ["targetElements"] = new JsonArray(secret.Id, shownId),
            }),
        };
    }

    internal static JsonObject Heading(string text, string size = "Medium") => new()
    {
        ["type"] = "TextBlock",
        ["text"] = text,
        ["style"] = "heading",
        ["size"] = size,
        ["weight"] = "Bolder",
        ["wrap"] = true,
    };

    internal static JsonObject TextBlock(string text, UiTextTone tone = UiTextTone.Default, bool small = false)
    {
        var block = new JsonObject { ["type"] = "TextBlock", ["text"] = text.Length == 0 ? " " : text, ["wrap"] = true };
        switch (tone)
        {
            case UiTextTone.Subtle: block["isSubtle"] = true; break;
            case UiTextTone.Good: block["color"] = "Good"; break;
            case UiTextTone.Warning: block["color"] = "Warning"; break;
            case UiTextTone.Attention: block["color"] = "Attention"; break;
        }
        if (small) block["size"] = "Small";
        return block;
    }

    internal static JsonObject FactSet(IEnumerable<UiFact> facts, TextBudget b)
    {
        var array = new JsonArray();
        foreach (var fact in facts)
            array.Add(new JsonObject
            {
                ["title"] = CardText.Literal(fact.Title, b.FactTitle, keepNewLines: false),
                ["value"] = NonEmpty(CardText.Literal(fact.Value, b.FactValue)),
            });
        return new JsonObject { ["type"] = "FactSet", ["facts"] = array };
    }

    private static JsonObject Image(UiImage image, CardHost host, TextBudget b)
    {
        var alt = CardText.Plain(image.AltText, b.AltText);
        // Teams only loads HTTPS images; an unusable URL shows its alt text rather than a broken image.
        if (!IsAllowedImageUrl(image.Url, host))
            return TextBlock(CardText.Literal(alt.Length > 0 ? alt : "(image)", b.AltText), UiTextTone.Subtle);
        var node = new JsonObject { ["type"] = "Image", ["url"] = image.Url };
        if (alt.Length > 0) node["altText"] = alt;
        return node;
    }

    internal static bool IsAllowedImageUrl(string? url, CardHost host) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && url!.Length <= Limits.Url &&
        (uri.Scheme == Uri.UriSchemeHttps || (host == CardHost.WebChat && uri.Scheme == Uri.UriSchemeHttp));

    internal static JsonObject Badge(UiBadge badge, TextBudget b) => Badges([badge], b);

    /// <summary>Badges side by side: auto-width coloured columns (Adaptive Cards 1.5 has no badge element).</summary>
    internal static JsonObject Badges(IEnumerable<UiBadge> badges, TextBudget b)
    {
        var columns = new JsonArray();
        foreach (var badge in badges)
            columns.Add(new JsonObject
            {
                ["type"] = "Column",
                ["width"] = "auto",
                ["style"] = badge.Tone switch
                {
                    UiTextTone.Good => "good",
                    UiTextTone.Warning => "warning",
                    UiTextTone.Attention => "attention",
                    UiTextTone.Subtle => "default",
                    _ => "emphasis",
                },
                ["items"] = new JsonArray(new JsonObject
                {
                    ["type"] = "TextBlock",
                    ["text"] = NonEmpty(CardText.Literal(badge.Text, b.Badge, keepNewLines: false)),
                    ["size"] = "Small",
                    ["weight"] = "Bolder",
                    ["wrap"] = true,
                }),
            });
        return new JsonObject { ["type"] = "ColumnSet", ["columns"] = columns };
    }

    private static JsonObject Container(UiContainer container, CardHost host, TextBudget b)
    {
        var items = new JsonArray();
        foreach (var element in container.Items)
            foreach (var node in RenderElement(element, host, b))
                items.Add(node);
        if (items.Count == 0) items.Add(TextBlock(" "));
        var node2 = new JsonObject { ["type"] = "Container", ["items"] = items };
        if (container.Emphasis) node2["style"] = "emphasis";
        if (container.Separator) node2["separator"] = true;
        return node2;
    }

    internal static JsonObject ActionSet(IEnumerable<UiAction> actions, CardHost host, TextBudget b) =>
        new() { ["type"] = "ActionSet", ["actions"] = RenderActions(actions, host, b) };

    internal static JsonArray RenderActions(IEnumerable<UiAction> actions, CardHost host, TextBudget b)
    {
        var array = new JsonArray();
        foreach (var action in actions) array.Add(RenderAction(action, host, b));
        return array;
    }

    public static JsonObject RenderAction(UiAction action, CardHost host) => RenderAction(action, host, TextBudget.Full);

    internal static JsonObject RenderAction(UiAction action, CardHost host, TextBudget b)
    {
        ArgumentNullException.ThrowIfNull(action);
        var title = NonEmpty(CardText.Plain(action.Title, b.ActionTitle));
        if (action.Url is not null)
            return new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = title, ["url"] = action.Url };

        var data = action.Data?.DeepClone().AsObject() ?? new JsonObject();
        if (action.Owner is { } owner) data[UiActionOwner.DataKey] = owner.ToJson();
        data[VerbKey] = action.Verb;
        var node = host == CardHost.Teams
            ? new JsonObject { ["type"] = "Action.Execute", ["title"] = title, ["verb"] = action.Verb, ["data"] = data }
            : new JsonObject { ["type"] = "Action.Submit", ["title"] = title, ["data"] = data };
        switch (action.Style)
        {
            case UiActionStyle.Primary: node["style"] = "positive"; break;
            case UiActionStyle.Destructive: node["style"] = "destructive"; break;
        }
        return node;
    }

    internal static string NonEmpty(string text) => text.Length == 0 ? "-" : text;

    /// <summary>Text lengths for one rendering; a card over the size budget is rendered again with a smaller one.</summary>
    internal readonly record struct TextBudget(int Divisor)
    {
        public static TextBudget Full { get; } = new(1);
        public static IReadOnlyList<TextBudget> Steps { get; } = [new(1), new(4), new(16), new(64)];

        private int Of(int limit) => Math.Max(24, limit / Divisor);
        public int FallbackText => Of(Limits.FallbackText);
        public int Heading => Of(Limits.Heading);
        public int Text => Of(Limits.Text);
        public int FactTitle => Of(Limits.FactTitle);
        public int FactValue => Of(Limits.FactValue);
        public int AltText => Of(Limits.AltText);
        public int Badge => Of(Limits.Badge);
        public int ActionTitle => Of(Limits.ActionTitle);
        public int InputLabel => Of(Limits.InputLabel);
        public int HelpText => Of(Limits.HelpText);
        public int ChoiceTitle => Of(Limits.ChoiceTitle);
        public int Placeholder => Of(Limits.Placeholder);
        public int ErrorText => Of(Limits.ErrorText);
        public int Description => Of(Limits.Text);
    }

    /// <summary>Length budgets (UTF-16 units, before escaping) that keep cards readable and well under 28 KB.</summary>
    internal static class Limits
    {
        public const int FallbackText = 1000;
        public const int Heading = 200;
        public const int Text = 4000;
        public const int FactTitle = 100;
        public const int FactValue = 1000;
        public const int AltText = 500;
        public const int Badge = 60;
        public const int ActionTitle = 60;
        public const int Url = 2000;
        public const int InputLabel = 200;
        public const int HelpText = 600;
        public const int ChoiceTitle = 150;
        public const int Placeholder = 150;
        public const int ErrorText = 500;
    }
}
