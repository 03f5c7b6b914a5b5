using PartnerBot.Tests.Modules;

namespace PartnerBot.Tests.Hosting;

/// <summary>README's Layout table and "How a turn flows" section keep up with the folders and loops that exist.</summary>
public sealed class ReadmeLayoutTests
{
    private static readonly string Root = ModuleTestPaths.RepositoryRoot;

    private static string Section(string heading)
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var start = readme.IndexOf($"\n## {heading}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README has no \"## {heading}\" section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    private static IEnumerable<string> SourceFolders(string relative) =>
        Directory.GetDirectories(Path.Combine(Root, relative))
            .Select(Path.GetFileName)
            .Where(name => name is not ("bin" or "obj" or "node_modules" or "Properties") && !name!.StartsWith('.'))!;

    [Fact]
    public void The_layout_table_names_every_feature_folder()
    {
        var layout = Section("Layout");
        var missing = SourceFolders("bot/Features").Where(f => !layout.Contains($"`Features/{f}`")).ToList();
        Assert.True(missing.Count == 0, $"README Layout does not list bot/Features/{string.Join(", ", missing)}");
    }

    [Theory]
    [InlineData("bot")]
    [InlineData("api")]
    [InlineData("cards")]
    public void The_layout_table_names_every_folder_of_a_project(string project)
    {
        var row = Section("Layout").Split('\n').Single(line => line.StartsWith($"| `{project}/`", StringComparison.Ordinal));
        var missing = SourceFolders(project).Where(f => !row.Contains($"`{f}/`") && !row.Contains($"`{f}/") && !row.Contains($"`{f}`")
            && !(f == "Features" && row.Contains("`Features/")) && !(f == "Channels" && row.Contains("`Channels/"))).ToList();
        Assert.True(missing.Count == 0, $"README Layout row for {project}/ does not name {string.Join(", ", missing)}");
    }

    [Theory]
    [InlineData("deployment worker")]
    [InlineData("outbox dispatcher")]
    [InlineData("Slack inbox worker")]
    [InlineData("support delivery worker")]
    [InlineData("route table")]
    [InlineData("renderer")]
    public void How_a_turn_flows_names_each_stage_and_background_loop(string part) =>
        Assert.Contains(part, Section("How a turn flows"));
}
