namespace PartnerBot.Bot.Features.Help;

/// <summary>One guide: a title and its sections (split at <c>## </c> headings).</summary>
public sealed record Guide(string Id, string Title, IReadOnlyList<GuideSection> Sections);

public sealed record GuideSection(string Title, string Markdown);

public sealed record GuideHit(Guide Guide, int SectionIndex, int Score);

/// <summary>
/// The Admin, Partner, Agent and User guides, read from the Markdown files in <c>docs/guides/</c> (copied next to
/// the executable), with a keyword search over their sections.
/// </summary>
public sealed class GuideLibrary
{
    private static readonly string[] Order = ["user-guide", "partner-guide", "agent-guide", "admin-guide"];

    public GuideLibrary() : this(Path.Combine(AppContext.BaseDirectory, "guides")) { }

    public GuideLibrary(string folder)
    {
        Guides = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.md")
                .Select(path => Parse(Path.GetFileNameWithoutExtension(path), File.ReadAllText(path)))
                .OrderBy(g => Array.IndexOf(Order, g.Id) is var i && i < 0 ? int.MaxValue : i)
                .ThenBy(g => g.Id, StringComparer.Ordinal)
                .ToList()
            : [];
    }

    public IReadOnlyList<Guide> Guides { get; }

    public Guide? Find(string id) => Guides.FirstOrDefault(g => string.Equals(g.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>Sections containing every word of <paramref name="query"/>, best first (title matches count double).</summary>
    public IReadOnlyList<GuideHit> Search(string query, int limit = 8)
    {
        var words = query.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => w.Trim('"', '\'', '?', '.', ',').ToLowerInvariant()).Where(w => w.Length > 1).ToList();
        if (words.Count == 0) return [];
        var hits = new List<GuideHit>();
        foreach (var guide in Guides)
            for (var i = 0; i < guide.Sections.Count; i++)
            {
                var section = guide.Sections[i];
                var title = section.Title.ToLowerInvariant();
                var text = section.Markdown.ToLowerInvariant();
                if (!words.All(w => title.Contains(w, StringComparison.Ordinal) || text.Contains(w, StringComparison.Ordinal))) continue;
                var score = words.Sum(w => (title.Contains(w, StringComparison.Ordinal) ? 10 : 0) + Occurrences(text, w));
                hits.Add(new GuideHit(guide, i, score));
            }
        return hits.OrderByDescending(h => h.Score).Take(limit).ToList();
    }

    internal static Guide Parse(string id, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var title = lines.FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim() ?? id;
        var sections = new List<GuideSection>();
        var current = "Overview";
        var body = new List<string>();
        foreach (var line in lines)
        {
            if (line.StartsWith("# ", StringComparison.Ordinal)) continue;
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                current = line[3..].Trim();
                continue;
            }
            body.Add(line);
        }
        Flush();
        return new Guide(id, title, sections);

        void Flush()
        {
            var text = string.Join("\n", body).Trim();
            if (text.Length > 0) sections.Add(new GuideSection(current, text));
            body.Clear();
        }
    }

    private static int Occurrences(string text, string word)
    {
        var count = 0;
        for (var i = text.IndexOf(word, StringComparison.Ordinal); i >= 0; i = text.IndexOf(word, i + word.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
