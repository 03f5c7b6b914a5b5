namespace PartnerBot.Cards.Model;

/// <summary>"Are you sure?" with the facts that matter and a confirm / cancel pair.</summary>
public static class ConfirmationCard
{
    /// <param name="text">Trusted markdown from the bot (escape user data with <see cref="UiMarkdown.Escape"/>).</param>
    /// <param name="cancel">The caller's cancel button (its verb is the caller's to serve).</param>
    public static UiMessage Build(string title, string text, UiAction confirm, UiAction cancel, IReadOnlyList<UiFact>? facts = null)
    {
        var body = new List<UiElement> { new UiHeading(title), new UiText(text) };
        if (facts is { Count: > 0 }) body.Add(new UiFactSet(facts));
        return new UiMessage($"{title}: {text}", body, [confirm with { Style = confirm.Style == UiActionStyle.Default ? UiActionStyle.Primary : confirm.Style },
            cancel]);
    }
}

/// <summary>A friendly error: what happened, what to do next, and a reference for support.</summary>
public static class ErrorCard
{
    public static UiMessage Build(string title, string message, string? reference = null, IReadOnlyList<UiAction>? actions = null)
    {
        var body = new List<UiElement> { new UiHeading("⚠️ " + title), new UiText(UiMarkdown.Escape(message, 2000), UiTextTone.Attention) };
        if (!string.IsNullOrWhiteSpace(reference)) body.Add(new UiText("Reference: " + UiMarkdown.Escape(reference, 100), UiTextTone.Subtle));
        return new UiMessage($"{title}: {message}", body,
            actions ?? [new UiAction("Main menu", CardVerbs.Menu), new UiAction("Contact support", CardVerbs.Support)]);
    }
}
