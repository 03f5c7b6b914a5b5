namespace PartnerBot.Api.Storage;

/// <summary>A parsed JSON pointer (<c>/a/b/0</c>) as used by filters, ORDER BY and patch operations.</summary>
internal sealed class JsonPointer
{
    private JsonPointer(string text, IReadOnlyList<string> segments)
    {
        Text = text;
        Segments = segments;
    }

    public string Text { get; }
    public IReadOnlyList<string> Segments { get; }

    public static JsonPointer Parse(string path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/' || path.Length == 1)
            throw new ArgumentException($"'{path}' is not a JSON pointer to a property (expected e.g. '/balance').", nameof(path));
        var segments = path[1..].Split('/').Select(s => s.Replace("~1", "/").Replace("~0", "~")).ToArray();
        foreach (var segment in segments)
        {
            if (segment.Length == 0)
                throw new ArgumentException($"JSON pointer '{path}' has an empty segment.", nameof(path));
            if (segment.Contains('"') || segment.Contains('\\'))
                throw new ArgumentException($"JSON pointer '{path}' has a segment with a quote or backslash, which stores cannot address.", nameof(path));
        }
        return new JsonPointer(path, segments);
    }

    /// <summary>Parses a path that writes may touch: never the reserved top-level names.</summary>
    public static JsonPointer ParseWritable(string path)
    {
        var pointer = Parse(path);
        if (DocumentRules.IsReserved(pointer.Segments[0]))
            throw new ArgumentException($"'{path}' addresses the reserved property '{pointer.Segments[0]}'.", nameof(path));
        return pointer;
    }

    public static bool IsArrayIndex(string segment, out int index) =>
        int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index);

    public override string ToString() => Text;
}
