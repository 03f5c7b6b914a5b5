using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using PartnerBot.Tests.Modules;
using PartnerBot.Tests.Teams;

namespace PartnerBot.Tests.Cli;

/// <summary>
/// The command lines README documents, run as a user types them: from the repository root, through
/// <c>dotnet run --project bot</c> (which starts the program in <c>bot/</c>) and through the built executable.
/// </summary>
public sealed class CommandLineFromRootTests
{
    private static readonly string Root = ModuleTestPaths.RepositoryRoot;

    /// <summary>The configuration the tests were built in; <c>dotnet run --no-build</c> must use the same build.</summary>
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string workingDirectory, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The test runner's MSBuild settings would leak into the nested `dotnet run` evaluation.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await error);
    }

    private static string[] DotnetRun(params string[] verb) =>
        ["run", "--project", "bot", "--no-build", "-c", Configuration, "--", .. verb];

    private static JsonObject[] JsonLines(string output) =>
        output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .ToArray();

    [Fact]
    public async Task Module_inspect_through_dotnet_run_reads_folders_relative_to_the_root()
    {
        var legacy = Path.Combine("tests", "PartnerBot.Tests", "TestData", "Modules", "legacy", "StringCost");
        var (exitCode, output, error) = await RunAsync(Root, DotnetRun("module", "inspect", "catalog/Network", legacy, "--json"));

        Assert.True(exitCode == 0, output + error);
        Assert.DoesNotContain("no such directory", output + error);
        var lines = JsonLines(output);
        Assert.Equal(["Network", "StringCost"], lines.Select(l => (string)l["name"]!));
        Assert.All(lines, l => Assert.True((bool)l["valid"]!, l.ToJsonString()));
        Assert.Equal(250m, (decimal)lines[1]["metadata"]!["creditCost"]!);
    }

    [Fact]
    public async Task A_missing_folder_is_still_reported_as_typed()
    {
        var (exitCode, output, _) = await RunAsync(Root, DotnetRun("module", "inspect", "catalog/NoSuchModule", "--json"));

        Assert.Equal(1, exitCode);
        Assert.Equal("catalog/NoSuchModule: no such directory", (string)JsonLines(output).Single()["error"]!);
    }

    [Fact]
    public async Task Module_form_through_dotnet_run_reads_the_folder_relative_to_the_root()
    {
        var (exitCode, output, error) = await RunAsync(Root, DotnetRun("module", "form", "catalog/Network", "--channel", "webchat", "--json"));

        Assert.True(exitCode == 0, output + error);
        var json = output[output.IndexOf('[')..];
        var steps = JsonNode.Parse(json)!.AsArray();
        Assert.NotEmpty(steps);
        Assert.All(steps, step => Assert.Equal("AdaptiveCard", (string)step!["type"]!));
    }

    [Fact]
    public async Task Teams_package_through_dotnet_run_writes_where_the_relative_out_path_points_from_the_root()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", "cli-" + Guid.NewGuid().ToString("N"));
        var target = Path.Combine(folder, "partnerbot-teams.zip");
        var relative = Path.GetRelativePath(Root, target);
        Assert.False(Path.IsPathRooted(relative));
        var environment = new Dictionary<string, string>
        {
            ["MicrosoftAppId"] = ChannelIdentityServer.AppId,
            ["PublicBaseUrl"] = "https://partners.example.com",
        };
        try
        {
            var (exitCode, output, error) = await RunAsync(Root, DotnetRun("teams", "package", "--out", relative), environment);

            Assert.True(exitCode == 0, output + error);
            Assert.Contains(target, output);
            using var zip = ZipFile.OpenRead(target);
            Assert.NotNull(zip.GetEntry("manifest.json"));
            Assert.False(File.Exists(Path.Combine(Root, "bot", relative)), "the package must not land under bot/");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_built_executable_resolves_relative_folders_against_its_working_directory()
    {
        var (exitCode, output, error) = await RunAsync(Root,
            [Path.Combine(AppContext.BaseDirectory, "partnerbot.dll"), "module", "inspect", "catalog/Network", "--json"]);

        Assert.True(exitCode == 0, output + error);
        Assert.True((bool)JsonLines(output).Single()["valid"]!);
    }

    [Fact]
    public async Task Dotnet_run_still_starts_the_program_in_bot_so_the_default_database_is_bot_data()
    {
        // The behaviour README promises: `dotnet run --project bot` keeps bot/data/partnerbot.db, and passes on the
        // directory the command was typed in.
        var (exitCode, output, error) = await RunAsync(Root,
            ["msbuild", "bot/PartnerBot.Bot.csproj", "-getProperty:RunWorkingDirectory", "-getProperty:RunArguments", "-p:Configuration=" + Configuration]);

        Assert.True(exitCode == 0, output + error);
        var properties = JsonNode.Parse(output)!["Properties"]!;
        Assert.Equal(Path.Combine(Root, "bot"), ((string)properties["RunWorkingDirectory"]!).TrimEnd(Path.DirectorySeparatorChar));
        Assert.Contains($"--invocation-directory \"{Path.Combine(Root, ".")}\"", (string)properties["RunArguments"]!);
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "appsettings.json")))!;
        Assert.Equal("./data/partnerbot.db", (string)settings["Storage"]!["Sqlite"]!["Path"]!);
    }
}
