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
}

public enum UiActionStyle { Default, Primary, Destructive }

/// <summary>A group of elements drawn as one block (optionally emphasised, with a separator above).</summary>
public sealed record UiContainer(IReadOnlyList<UiElement> Items, bool Emphasis = false, bool Separator = false) : UiElement;
