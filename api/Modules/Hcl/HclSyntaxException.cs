namespace PartnerBot.Api.Modules.Hcl;

/// <summary>A syntax error with its position; <see cref="Exception.Message"/> is <c>file:line:column: message</c>.</summary>
public sealed class HclSyntaxException(string fileName, int line, int column, string detail)
    : Exception($"{fileName}:{line}:{column}: {detail}")
{
    public string FileName { get; } = fileName;
    public int Line { get; } = line;
    public int Column { get; } = column;
    public string Detail { get; } = detail;

    /// <summary>Builds the error for a character offset, counting lines and columns (1-based) up to it.</summary>
    public static HclSyntaxException At(string fileName, string source, int offset, string detail)
    {
        var (line, column) = LineColumn(source, offset);
        return new HclSyntaxException(fileName, line, column, detail);
    }

    public static (int Line, int Column) LineColumn(string source, int offset)
    {
        offset = Math.Clamp(offset, 0, source.Length);
        var span = source.AsSpan(0, offset);
        var line = 1 + span.Count('\n');
        var lastNewline = span.LastIndexOf('\n');
        return (line, offset - lastNewline);
    }
}
