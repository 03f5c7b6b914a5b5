using System.Globalization;
using System.Text.Json.Nodes;

namespace PartnerBot.Cards.Model;

public enum ModuleSource { Platform, Partner }

/// <summary>What the catalog shows of one module (built by the caller from its own module records).</summary>
public sealed record CatalogEntryView(string Name, string? Description, decimal CreditCost, IReadOnlyList<string> Services, ModuleSource Source);

/// <summary>
/// The module catalog: "Platform modules" / "Partner modules" tabs, a search field, one card per module with a
/// Deploy button, and paging. A page holds <see cref="PageSize"/> modules, so any catalog size stays within
/// Teams' card size and Slack's 50 blocks per message.
/// </summary>
public static class CatalogCard
{
    public const int PageSize = 8;
    public const string SearchInputId = "query";
    private const int DescriptionLength = 280;

    public static string TabValue(ModuleSource tab) => tab == ModuleSource.Platform ? "platform" : "partner";

    public static ModuleSource ParseTab(string? value) =>
        string.Equals(value, "partner", StringComparison.OrdinalIgnoreCase) ? ModuleSource.Partner : ModuleSource.Platform;

    /// <summary>The entries of <paramref name="tab"/> matching <paramref name="query"/> (name, description, services; case-insensitive).</summary>
    public static IReadOnlyList<CatalogEntryView> Filter(IEnumerable<CatalogEntryView> entries, ModuleSource tab, string? query)
    {
        var q = query?.Trim();
        return entries
            .Where(e => e.Source == tab)
            .Where(e => string.IsNullOrEmpty(q)
                || e.Name.Contains(q, StringComparison.OrdinalIgnoreCase)
                || (e.Description?.Contains(q, StringComparison.OrdinalIgnoreCase) ?? false)
                || e.Services.Any(s => s.Contains(q, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <param name="notice">Said at the top of the card, and as its notification text (why the catalog is shown), so
    /// the reason and the catalog arrive as one message.</param>
    public static UiMessage Build(IEnumerable<CatalogEntryView> entries, ModuleSource tab = ModuleSource.Platform, string? query = null, int page = 0,
        string? notice = null)
    {
        var matches = Filter(entries, tab, query);
        var pages = Math.Max(1, (matches.Count + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 0, pages - 1);
        var shown = matches.Skip(page * PageSize).Take(PageSize).ToList();
        var q = string.IsNullOrWhiteSpace(query) ? null : query.Trim();

        var body = new List<UiElement>
        {
            new UiHeading("Deploy a module"),
        };
        if (notice is not null) body.Add(new UiText(notice));
        body.AddRange(
        [
            new UiActionRow(
            [
                TabButton("Platform modules", ModuleSource.Platform, tab),
                TabButton("Partner modules", ModuleSource.Partner, tab),
            ]),
            new UiTextInput(SearchInputId, "Search modules", new UiAction("Search", CardVerbs.DeploySearch, new JsonObject { ["tab"] = TabValue(tab) }), q, "Name, description or service"),
        ]);

        if (matches.Count == 0)
            body.Add(new UiText(q is null ? "No modules here yet." : $"No modules match \"{UiMarkdown.Escape(q, 100)}\".", UiTextTone.Subtle));
        else
            body.Add(new UiText(
                $"Showing {page * PageSize + 1}–{page * PageSize + shown.Count} of {matches.Count.ToString("N0", CultureInfo.InvariantCulture)}" +
                (q is null ? "" : $" matching \"{UiMarkdown.Escape(q, 100)}\""), UiTextTone.Subtle));

        foreach (var entry in shown) body.Add(Entry(entry));

        var paging = new List<UiAction>();
        if (page > 0) paging.Add(PageButton("◀ Previous", tab, q, page - 1));
        if (page < pages - 1) paging.Add(PageButton("Next ▶", tab, q, page + 1));
        if (paging.Count > 0) body.Add(new UiActionRow(paging));

        var summary = matches.Count == 0 ? "No modules found." : $"{matches.Count} {(tab == ModuleSource.Platform ? "platform" : "partner")} modules, page {page + 1} of {pages}.";
        return new UiMessage(notice ?? summary, body, []);
    }

    private static UiElement Entry(CatalogEntryView entry)
    {
        var services = entry.Services.Count == 0 ? null : "Services: " + UiMarkdown.Escape(string.Join(", ", entry.Services), 200);
        var items = new List<UiElement>
        {
            new UiText($"**{UiMarkdown.Escape(entry.Name, 120)}**" +
                (string.IsNullOrWhiteSpace(entry.Description) ? "" : "\n\n" + UiMarkdown.Escape(entry.Description, DescriptionLength))),
            new UiBadge(CreditText(entry.CreditCost), entry.CreditCost == 0 ? UiTextTone.Good : UiTextTone.Default),
        };
        if (services is not null) items.Add(new UiText(services, UiTextTone.Subtle));
        items.Add(new UiActionRow([new UiAction("Deploy", CardVerbs.DeployPick, new JsonObject { ["module"] = entry.Name }, UiActionStyle.Primary)]));
        return new UiContainer(items, Separator: true);
    }

    public static string CreditText(decimal credits) =>
        credits == 0 ? "Free" : credits == 1 ? "1 credit" : $"{credits.ToString("0.##", CultureInfo.InvariantCulture)} credits";

    private static UiAction TabButton(string title, ModuleSource tab, ModuleSource current) =>
        new(tab == current ? $"● {title}" : title, CardVerbs.DeployTab, new JsonObject { ["tab"] = TabValue(tab) },
            tab == current ? UiActionStyle.Primary : UiActionStyle.Default);

    private static UiAction PageButton(string title, ModuleSource tab, string? query, int page)
    {
        var data = new JsonObject { ["tab"] = TabValue(tab), ["page"] = page };
        if (query is not null) data["query"] = query.Length <= 200 ? query : query[..200];
        return new UiAction(title, CardVerbs.DeployPage, data);
    }
}
