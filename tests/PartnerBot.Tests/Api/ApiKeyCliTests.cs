using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Identity;

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

    private Task<PlatformUser> ChatUserAsync(string channel, string channelUserId, string name, string? email = null) =>
        host.Services.GetRequiredService<UserDirectory>().ResolveAsync(channel, channelUserId, name, email, ["partner"]);

    [Fact]
    public async Task A_created_key_is_printed_once_and_authenticates_as_its_user()
    {
        var user = await ChatUserAsync("directline", "cli-partner-dl", "Cli Partner");
        var (exitCode, output, error) = await RunCliAsync("apikey", "create", "--user", user.Id, "--name", "laptop");

        Assert.True(exitCode == 0, error);
        var key = output.Trim();
        Assert.StartsWith("pbk_", key);
        Assert.DoesNotContain(key, error);
        Assert.Contains(user.Id, error);
        using var client = host.Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        var credits = (await client.GetFromJsonAsync<JsonObject>("/api/credits"))!;
        Assert.Equal(user.Id, credits["userId"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/deployments?all=true")).StatusCode);
        // The owner sees it in their list (and could revoke it from the chat).
        var listed = Assert.Single(await host.Services.GetRequiredService<ApiKeyStore>().ListAsync(user.Id));
        Assert.Equal("laptop", listed.Name);
    }

    [Fact]
    public async Task An_admin_key_may_list_every_partners_deployments()
    {
        var admin = await ChatUserAsync("directline", "cli-admin-dl", "Cli Admin");
        var (exitCode, output, error) = await RunCliAsync("apikey", "create", "--user", admin.Id, "--admin");

        Assert.True(exitCode == 0, error);
        using var client = host.Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", output.Trim());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/deployments?all=true")).StatusCode);
    }

    [Theory]
    [InlineData("email")]
    [InlineData("slack")]
    [InlineData("msteams")]
    [InlineData("bare")]
    public async Task The_user_may_be_given_by_email_or_chat_identity(string form)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var user = await ChatUserAsync("slack", $"TCLI{suffix}:UCLI{suffix}", "Slack Partner", $"cli-{suffix}@example.com");
        user = await ChatUserAsync("msteams", $"aad-{suffix}", "Slack Partner", $"cli-{suffix}@example.com");
        var reference = form switch
        {
            "email" => $"CLI-{suffix}@example.com",
            "slack" => $"slack:TCLI{suffix}:UCLI{suffix}",
            "msteams" => $"msteams:aad-{suffix}",
            _ => $"UCLI{suffix}",
        };

        var (exitCode, output, error) = await RunCliAsync("apikey", "create", "--user", reference);

        Assert.True(exitCode == 0, error);
        using var client = host.Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", output.Trim());
        Assert.Equal(user.Id, (await client.GetFromJsonAsync<JsonObject>("/api/credits"))!["userId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bare_id_of_two_users_is_refused_naming_both()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var first = await ChatUserAsync("slack", $"TA{suffix}:UDUP{suffix}", "First");
        var second = await ChatUserAsync("slack", $"TB{suffix}:UDUP{suffix}", "Second");

        var (exitCode, output, error) = await RunCliAsync("apikey", "create", "--user", $"UDUP{suffix}");

        Assert.Equal(1, exitCode);
        Assert.DoesNotContain("pbk_", output);
        Assert.Contains("matches 2 users", error);
        Assert.Contains($"slack:TA{suffix}:UDUP{suffix}", error);
        Assert.Contains($"slack:TB{suffix}:UDUP{suffix}", error);
        Assert.Contains(first.Id, error);
        Assert.Contains(second.Id, error);
        Assert.Empty(await host.Services.GetRequiredService<ApiKeyStore>().ListAsync(first.Id));
        Assert.Empty(await host.Services.GetRequiredService<ApiKeyStore>().ListAsync(second.Id));
    }

    [Fact]
    public async Task An_unknown_user_is_refused_saying_what_to_give()
    {
        var (exitCode, output, error) = await RunCliAsync("apikey", "create", "--user", "slack:TNOPE:UNOPE");

        Assert.Equal(1, exitCode);
        Assert.DoesNotContain("pbk_", output);
        Assert.Contains("No user matches 'slack:TNOPE:UNOPE'", error);
        Assert.Contains("msteams:AAD-OBJECT-ID", error);
    }

    [Fact]
    public async Task Without_a_user_the_command_fails_and_creates_nothing()
    {
        var (exitCode, output, _) = await RunCliAsync("apikey", "create");
        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("pbk_", output);
    }
}
