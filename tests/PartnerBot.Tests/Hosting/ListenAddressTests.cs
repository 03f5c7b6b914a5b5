using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Hosting;

/// <summary>
/// The built executable started as an operator starts it: the listen address comes from the standard ASP.NET Core
/// settings, and the shipped <c>appsettings.json</c> does not override them.
/// </summary>
public sealed class ListenAddressTests
{

    private static async Task AssertServesAsync(int port, IEnumerable<string> arguments, IDictionary<string, string> environment)
    {
        var data = Directory.CreateTempSubdirectory("partnerbot-listen-");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "partnerbot.dll") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("URLS");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Storage__Sqlite__Path"] = Path.Combine(data.FullName, "partnerbot.db");
        foreach (var (name, value) in environment) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        try
        {
            await BuiltHostProcess.AssertServesHealthzAsync(process, port);
        }
        finally
        {
            try { data.Delete(recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task ASPNETCORE_URLS_is_honoured()
    {
        var port = LoopbackPorts.Free();
        await AssertServesAsync(port, [], new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" });
    }

    [Fact]
    public async Task The_urls_option_is_honoured()
    {
        var port = LoopbackPorts.Free();
        await AssertServesAsync(port, ["--urls", $"http://127.0.0.1:{port}"], new Dictionary<string, string>());
    }

    [Fact]
    public async Task The_urls_option_wins_over_ASPNETCORE_URLS()
    {
        var (port, other) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        await AssertServesAsync(port, ["--urls", $"http://127.0.0.1:{port}"],
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{other}" });
    }

    [Fact]
    public void The_local_default_lives_in_the_launch_profile_not_in_appsettings()
    {
        var settings = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "appsettings.json")),
            documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!.AsObject();
        Assert.DoesNotContain(settings, p => string.Equals(p.Key, "Urls", StringComparison.OrdinalIgnoreCase));
        var profile = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(
            Path.Combine(PartnerBot.Tests.Modules.ModuleTestPaths.RepositoryRoot, "bot", "Properties", "launchSettings.json")))!;
        Assert.Equal("http://localhost:3978", (string?)profile["profiles"]!["partnerbot"]!["applicationUrl"]);
    }
}
