namespace PartnerBot.Tests.Modules;

/// <summary>Where the module tests find their data: the project's own corpus and, when present, the shared real-module corpus.</summary>
internal static class ModuleTestPaths
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The project's own module files (copied next to the test assembly).</summary>
    public static string OwnCorpus => Path.Combine(AppContext.BaseDirectory, "TestData", "Modules", "corpus");

    /// <summary>The shared corpus of real <c>variables.tf</c> files, or null when this checkout has none.</summary>
    public static string? SharedCorpus
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "corpus", "rad-modules"));
            return Directory.Exists(path) ? path : null;
        }
    }

    public static IReadOnlyList<string> OwnCorpusFiles => Directory.GetFiles(OwnCorpus, "*.tf").Order(StringComparer.Ordinal).ToArray();

    public static IReadOnlyList<string> SharedCorpusFiles =>
        SharedCorpus is { } dir ? Directory.GetFiles(dir, "*.tf").Order(StringComparer.Ordinal).ToArray() : [];

    public static IReadOnlyList<string> AllCorpusFiles => [.. OwnCorpusFiles, .. SharedCorpusFiles];

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PartnerBot.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No PartnerBot.sln above {AppContext.BaseDirectory}.");
    }
}
