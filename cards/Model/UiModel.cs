using System.Text.Json.Nodes;

namespace PartnerBot.Cards.Model;

/// <summary>
/// A channel-neutral message: what the bot wants to show, never how a channel draws it.
/// Renderers turn it into an Adaptive Card (Teams, Web Chat) or Block Kit (Slack).
/// </summary>
/// <param name="Summary">Plain-text fallback for notifications and screen readers.</param>
public sealed record UiMessage(string Summary, IReadOnlyList<UiElement> Body, IReadOnlyList<UiAction> Actions)
{
    public static UiMessage Text(string text) => new(text, [new UiText(text)], []);

    /// <summary>
    /// This instance is built once and sent again and again, unchanged (the default main menu): a channel may keep what it
    /// renders from it, keyed by the instance, instead of rendering it on every send.
    /// </summary>
    public bool Reused { get; init; }
}

public abstract record UiElement;

public sealed record UiHeading(string Text) : UiElement;

/// <summary>Text in a small markdown subset: **bold**, _italic_, [links](https://...), bullet lines.</summary>
public sealed record UiText(string Markdown, UiTextTone Tone = UiTextTone.Default) : UiElement;

public enum UiTextTone { Default, Subtle, Good, Warning, Attention }

public sealed record UiFact(string Title, string Value);

public sealed record UiFactSet(IReadOnlyList<UiFact> Facts) : UiElement;

public sealed record UiImage(string Url, string AltText) : UiElement;

public sealed record UiBadge(string Text, UiTextTone Tone = UiTextTone.Default) : UiElement;

/// <summary>A row of actions inside the body (the message-level actions go in <see cref="UiMessage.Actions"/>).</summary>
public sealed record UiActionRow(IReadOnlyList<UiAction> Actions) : UiElement;

/// <summary>
/// A button. <paramref name="Verb"/> routes it back to the bot (with <paramref name="Data"/>);
/// a button with <paramref name="Url"/> opens a link instead.
/// </summary>
public sealed record UiAction(string Title, string Verb, JsonObject? Data = null, UiActionStyle Style = UiActionStyle.Default, string? Url = null)
{
    public static UiAction Link(string title, string url) => new(title, "", null, UiActionStyle.Default, url);

    /// <summary>The person whose button this is, in a shared conversation; renderers add it to the data (see <see cref="UiActionOwner"/>).</summary>
    public UiActionOwner? Owner { get; init; }
}

public enum UiActionStyle { Default, Primary, Destructive }

/// <summary>A group of elements drawn as one block (optionally emphasised, with a separator above).</summary>
public sealed record UiContainer(IReadOnlyList<UiElement> Items, bool Emphasis = false, bool Separator = false) : UiElement;

/// <summary>
/// A one-line text field inside a message (e.g. catalog search) with the button that submits it.
/// Adaptive Cards: Input.Text + the button (the value arrives keyed by <paramref name="Id"/>);
/// Slack: an input block that dispatches on Enter (action_id = the button's verb, the typed text as the action's value).
/// </summary>
public sealed record UiTextInput(string Id, string Label, UiAction Submit, string? Value = null, string? Placeholder = null) : UiElement;

/// <summary>
/// A secret the user must copy now and will never see again (a new API key). Channels show it only to that user and
/// keep it out of anything they store: Adaptive Cards draw a masked read-only field with a button that reveals it
/// for copying; Slack sends the message ephemerally. A message holding one should carry no buttons that submit inputs.
/// </summary>
/// <param name="StoredNote">What replaces the secret wherever the message is kept (a transcript replayed later).</param>
public sealed record UiSecretValue(string Id, string Label, string Value, string StoredNote) : UiElement;

/// <summary>Finding and removing <see cref="UiSecretValue"/>s, for channels that store or log what they send.</summary>
public static class UiSecrets
{
    public static bool Contains(UiMessage message) => message.Body.Any(Holds);

    /// <summary>The message with every secret replaced by its stored note.</summary>
    public static UiMessage Redacted(UiMessage message) =>
        Contains(message) ? message with { Body = message.Body.Select(Redact).ToList() } : message;

    private static bool Holds(UiElement element) => element switch
    {
        UiSecretValue => true,
        UiContainer c => c.Items.Any(Holds),
        _ => false,
    };

    private static UiElement Redact(UiElement element) => element switch
    {
        UiSecretValue secret => new UiText(UiMarkdown.Escape(secret.StoredNote), UiTextTone.Subtle),
        UiContainer c => c with { Items = c.Items.Select(Redact).ToList() },
        _ => element,
    };
}

/// <summary>Escaping helpers for putting untrusted text into <see cref="UiText"/> markdown.</summary>
public static class UiMarkdown
{
    /// <summary>Shows <paramref name="text"/> literally inside markdown (backslash escapes; both renderers honour them).</summary>
    public static string Escape(string? text, int maxLength = 1000) => Text.CardText.Literal(text, maxLength);
}
