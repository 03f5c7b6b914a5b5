using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PartnerBot.Tests.Infrastructure;

/// <summary>
/// The bytes of a SQLite database file and its write-ahead log as they lie on disk, for tests that look for a value
/// which must never be stored in clear. A value is found in any form a stored JSON body could hold it: as written, or
/// escaped by the default or the relaxed JSON encoder.
/// </summary>
public sealed class RawDatabaseBytes
{
    private readonly List<(string File, byte[] Bytes)> _files = [];

    private RawDatabaseBytes() { }

    /// <summary>Reads <paramref name="databasePath"/> and, when present, its <c>-wal</c> file (while the store may be open).</summary>
    public static RawDatabaseBytes Read(string databasePath)
    {
        var bytes = new RawDatabaseBytes();
        foreach (var path in new[] { databasePath, databasePath + "-wal" })
        {
            if (!File.Exists(path)) continue;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes._files.Add((Path.GetFileName(path), copy.ToArray()));
        }
        Assert.NotEmpty(bytes._files);
        return bytes;
    }

    public IReadOnlyList<string> Files => _files.Select(f => f.File).ToList();

    /// <summary>The files (database, WAL) that hold <paramref name="value"/> in any of its stored forms.</summary>
    public IReadOnlyList<string> FilesHolding(string value)
    {
        var forms = new[]
        {
            value,
            JsonEncodedText.Encode(value).ToString(),
            JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString(),
        }.Distinct().Select(Encoding.UTF8.GetBytes).ToList();
        return _files.Where(f => forms.Any(form => f.Bytes.AsSpan().IndexOf(form) >= 0)).Select(f => f.File).ToList();
    }

    public void AssertHolds(string value) =>
        Assert.True(FilesHolding(value).Count > 0, $"\"{value}\" was expected in {string.Join(", ", Files)} but is in none");

    public void AssertNotHeld(string value, string what) =>
        Assert.True(FilesHolding(value).Count == 0, $"{what} is stored in clear in {string.Join(", ", FilesHolding(value))}");
}
