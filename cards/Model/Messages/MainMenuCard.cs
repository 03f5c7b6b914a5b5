namespace PartnerBot.Cards.Model;

/// <summary>The bot's home: one button per area.</summary>
public static class MainMenuCard
{
    public static IReadOnlyList<UiAction> Items { get; } =
    [
        new("Deploy a module", CardVerbs.Deploy, Style: UiActionStyle.Primary),
        new("My deployments", CardVerbs.Deployments),
        new("Publish modules", CardVerbs.Publish),
        new("GitHub settings", CardVerbs.GitHub),
        new("Billing", CardVerbs.Billing),
        new("Help & guides", CardVerbs.Help),
        new("Contact support", CardVerbs.Support),
        new("Theme", CardVerbs.Theme),
        new("API keys", CardVerbs.ApiKeys),
    ];

    public static UiMessage Build(string? greeting = null) => new(
        "PartnerBot menu: deploy a module, see your deployments, publish modules, GitHub settings, billing, help, support, theme, API keys.",
        [
            new UiHeading("PartnerBot"),
            new UiText(greeting ?? "What would you like to do?", UiTextTone.Subtle),
            // Rows of three stay readable in the narrowest host (Web Chat's card column, Teams on mobile).
            new UiActionRow(Items.Take(3).ToArray()),
            new UiActionRow(Items.Skip(3).Take(3).ToArray()),
            new UiActionRow(Items.Skip(6).ToArray()),
        ],
        []);
}
