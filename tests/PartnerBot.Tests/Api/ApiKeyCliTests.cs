using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Tests.Api;

/// <summary><c>partnerbot apikey create</c> run as a real process against the same SQLite file as a running host.</summary>
public sealed class ApiKeyCliTests(ApiHost host) : IClassFixture<ApiHost>
{
    private async Task<(int ExitCode, string Output, string Error)> RunCliAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "partnerbot.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["Storage__Sqlite__Path"] = host.DatabasePath;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task A_created_key_is_printed_once_and_authenticates_as_its_user()
    {
        var (exitCode, output, error) = await RunCliAsync("apikey", "create", "--user", "cli-partner", "--name", "laptop");

        Assert.True(exitCode == 0, error);
        var key = output.Trim();
        Assert.StartsWith("pbk_", key);
        Assert.DoesNotContain(key, error);
        using var client = host.Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        var credits = (await client.GetFromJsonAsync<JsonObject>("/api/credits"))!;
        Assert.Equal("cli-partner", credits["userId"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/deployments?all=true")).StatusCode);
    }

    [Fact]
    public async Task An_admin_key_may_list_every_partners_deployments()
    {
        var (exitCode, output, error) = await RunCliAsync("apikey", "create", "--user", "cli-admin", "--admin");

        Assert.True(exitCode == 0, error);
        using var client = host.Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", output.Trim());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/deployments?all=true")).StatusCode);
    }

    [Fact]
    public async Task Without_a_user_the_command_fails_and_creates_nothing()
    {
        var (exitCode, output, _) = await RunCliAsync("apikey", "create");
        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("pbk_", output);
    }
}
