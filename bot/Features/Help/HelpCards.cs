using System.Text.Json.Nodes;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Help;

/// <summary>The card of one guide section: its text, the guide's sections, and previous / next.</summary>
public static class HelpCards
{
    private const int SectionTextLimit = 2500;

    public static UiMessage Section(Guide guide, int index)
    {
        if (guide.Sections.Count == 0) return UiMessage.Text($"{guide.Title} is empty.");
        var section = guide.Sections[index];
        var text = section.Markdown.Length <= SectionTextLimit ? section.Markdown : section.Markdown[..SectionTextLimit] + "…";
        var body = new List<UiElement>
        {
            new UiHeading($"{guide.Title}: {section.Title}"),
            new UiText($"Section {index + 1} of {guide.Sections.Count}", UiTextTone.Subtle),
            new UiText(text),
        };
        var sections = guide.Sections.Select((s, i) => new UiAction(s.Title, HelpRoutes.Section, new JsonObject { ["guide"] = guide.Id, ["section"] = i })).ToList();
        body.Add(new UiText("**Sections**"));
        foreach (var row in sections.Chunk(4)) body.Add(new UiActionRow(row));

        var nav = new List<UiAction>();
        if (index > 0) nav.Add(new UiAction("◀ Previous", HelpRoutes.Section, new JsonObject { ["guide"] = guide.Id, ["section"] = index - 1 }));
        if (index < guide.Sections.Count - 1) nav.Add(new UiAction("Next ▶", HelpRoutes.Section, new JsonObject { ["guide"] = guide.Id, ["section"] = index + 1 }));
        nav.Add(new UiAction("All guides", HelpRoutes.Guides));
        return new UiMessage($"{guide.Title}: {section.Title}", body, nav);
    }
}
