namespace PartnerBot.Cards.Model;

/// <summary>The bot's home: one button per area (the caller's menu items, in order).</summary>
public static class MainMenuCard
{
    /// <param name="items">The menu's buttons; the bot takes them from its route table.</param>
    /// <param name="more">Elements shown below the buttons (e.g. the list of commands).</param>
    public static UiMessage Build(IReadOnlyList<UiAction> items, string? greeting = null, IReadOnlyList<UiElement>? more = null)
    {
        var body = new List<UiElement>
        {
            new UiHeading("PartnerBot"),
            new UiText(greeting ?? "What would you like to do?", UiTextTone.Subtle),
        };
        // Rows of three stay readable in the narrowest host (Web Chat's card column, Teams on mobile).
        body.AddRange(items.Chunk(3).Select(row => new UiActionRow(row)));
        body.AddRange(more ?? []);
        var summary = items.Count == 0 ? "PartnerBot menu." : "PartnerBot menu: " + string.Join(", ", items.Select(i => i.Title)) + ".";
        return new UiMessage(summary, body, []);
    }
}
