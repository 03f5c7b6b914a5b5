using System.Text.Json.Nodes;
using NJsonSchema;

namespace PartnerBot.Tests.Cards;

internal static class CardTestSupport
{
    /// <summary>The product's main menu buttons, as the route table makes them.</summary>
    public static IReadOnlyList<PartnerBot.Cards.Model.UiAction> MenuItems { get; } = PartnerBot.Bot.Conversations.ChatRouteTable.Product().Menu;

    public static string TestData(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "TestData", "Cards", .. parts]);

    /// <summary>The repository root (the folder holding PartnerBot.sln), found by walking up from the test assembly.</summary>
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PartnerBot.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>The shared corpus of real modules, when present next to the repository.</summary>
    public static string? SharedCorpus()
    {
        var root = RepositoryRoot();
        if (root is null) return null;
        var corpus = Path.GetFullPath(Path.Combine(root, "..", "shared", "corpus", "rad-modules"));
        return Directory.Exists(corpus) ? corpus : null;
    }

    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromJsonAsync(File.ReadAllText(TestData("adaptive-card-1.5.0.schema.json"))).GetAwaiter().GetResult());

    /// <summary>
    /// Validates against the Adaptive Card 1.5 schema, leniently as the protocol notes advise: host extension
    /// properties the schema predates (the root <c>msteams</c> object) are removed first.
    /// </summary>
    public static IReadOnlyList<string> SchemaErrors(JsonObject card)
    {
        var copy = card.DeepClone().AsObject();
        copy.Remove("msteams");
        return Schema.Value.Validate(copy.ToJsonString()).Select(Describe).ToList();
    }

    private static string Describe(NJsonSchema.Validation.ValidationError error) =>
        error is NJsonSchema.Validation.ChildSchemaValidationError child
            ? $"{error.Path}: {error.Kind} [{string.Join("; ", child.Errors.SelectMany(e => e.Value).Select(Describe).Take(6))}]"
            : $"{error.Path}: {error.Kind}";

    public static void AssertValidCard(JsonObject card)
    {
        var errors = SchemaErrors(card);
        Assert.True(errors.Count == 0, "Schema errors:\n" + string.Join("\n", errors) + "\n" + card.ToJsonString());
    }
}
