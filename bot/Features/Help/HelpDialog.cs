using System.Text.Json.Nodes;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Help;

/// <summary>
/// Help & guides: the guides section by section with navigation buttons, and a keyword search
/// (<c>guides WORD...</c>, or the search box).
/// </summary>
public sealed class HelpDialog(GuideLibrary library) : Dialog(DialogId)
{
    public const string DialogId = "help";

    /// <summary><c>guides</c> shows the guides; <c>guides WORDS</c> searches them.</summary>
    public Task<DialogTurnResult> StartAsync(ChatRouteContext route, CancellationToken ct) =>
        route.Arguments.Length > 0 ? SearchAsync(route.Dialog, route.Arguments, ct) : IndexAsync(route.Dialog, ct);

    public Task<DialogTurnResult> SearchAsync(ChatRouteContext route, CancellationToken ct) =>
        SearchAsync(route.Dialog, (string?)route.Data["query"], ct);

    public async Task<DialogTurnResult> SectionAsync(ChatRouteContext route, CancellationToken ct)
    {
        if (library.Find((string?)route.Data["guide"] ?? "") is not { } guide) return await IndexAsync(route.Dialog, ct);
        var index = route.Data["section"] is JsonValue v && v.TryGetValue<int>(out var i) ? i : 0;
        await route.Turn.SendAsync(HelpCards.Section(guide, Math.Clamp(index, 0, Math.Max(0, guide.Sections.Count - 1))), ct);
        return DialogTurnResult.Waiting;
    }

    /// <summary>Typed words while the guides are open search them.</summary>
    public override Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct) =>
        dc.Turn.Verb is null ? SearchAsync(dc, dc.Turn.Text, ct) : Task.FromResult(DialogTurnResult.Empty);

    private async Task<DialogTurnResult> SearchAsync(DialogContext dc, string? query, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(query)) return await IndexAsync(dc, ct);
        await dc.Turn.SendAsync(SearchResults(query), ct);
        return DialogTurnResult.Waiting;
    }

    private async Task<DialogTurnResult> IndexAsync(DialogContext dc, CancellationToken ct)
    {
        await dc.Turn.SendAsync(Index(), ct);
        return DialogTurnResult.Waiting;
    }

    private UiMessage Index()
    {
        var body = new List<UiElement>
        {
            new UiHeading("Help & guides"),
            new UiText("Pick a guide, or search them all.", UiTextTone.Subtle),
            new UiTextInput("query", "Search the guides", new UiAction("Search", HelpRoutes.Search), Placeholder: "e.g. credits, dependencies, theme"),
        };
        var actions = library.Guides.Select(g => new UiAction(g.Title, HelpRoutes.Section, new JsonObject { ["guide"] = g.Id, ["section"] = 0 })).ToList();
        actions.Add(new UiAction("Contact support", CardVerbs.Support));
        if (library.Guides.Count == 0) body.Add(new UiText("The guides are not installed with this copy of PartnerBot.", UiTextTone.Warning));
        return new UiMessage("Help & guides: " + string.Join(", ", library.Guides.Select(g => g.Title)), body, actions);
    }

    private UiMessage SearchResults(string query)
    {
        var hits = library.Search(query);
        var body = new List<UiElement> { new UiHeading($"Guides matching \"{UiMarkdown.Escape(query, 60)}\"") };
        if (hits.Count == 0) body.Add(new UiText("Nothing found. Try another word, or contact support.", UiTextTone.Subtle));
        foreach (var hit in hits)
        {
            var section = hit.Guide.Sections[hit.SectionIndex];
            body.Add(new UiText($"**{hit.Guide.Title}: {section.Title}**\n\n{Excerpt(section.Markdown, query)}"));
            body.Add(new UiActionRow([new UiAction("Read", HelpRoutes.Section, new JsonObject { ["guide"] = hit.Guide.Id, ["section"] = hit.SectionIndex })]));
        }
        return new UiMessage($"{hits.Count} guide sections match {query}", body, [new UiAction("All guides", HelpRoutes.Guides)]);
    }

    private static string Excerpt(string markdown, string query)
    {
        var word = query.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        var at = Math.Max(0, markdown.IndexOf(word, StringComparison.OrdinalIgnoreCase));
        var start = Math.Max(0, at - 80);
        var excerpt = markdown.Substring(start, Math.Min(240, markdown.Length - start)).Replace('\n', ' ');
        return (start > 0 ? "…" : "") + excerpt + (start + 240 < markdown.Length ? "…" : "");
    }
}
