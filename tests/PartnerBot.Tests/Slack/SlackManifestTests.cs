using System.Diagnostics;
using System.Text.Json.Nodes;
using NJsonSchema;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Tests.Slack;

/// <summary><c>partnerbot slack manifest</c> against Slack's app manifest schema.</summary>
public sealed class SlackManifestTests
{
    /// <summary>
    /// The version-1 schema, which Slack's dispatcher schema selects for <c>_metadata.major_version: 1</c> (the
    /// dispatcher itself selects with <c>const</c>, which NJsonSchema does not evaluate).
    /// </summary>
    private static Task<JsonSchema> ManifestSchemaAsync() =>
        JsonSchema.FromFileAsync(Path.Combine(SlackTestData.Folder, "manifest", "manifest.schema.1.0.0.json"));

    [Fact]
    public async Task Slack_manifest_command_prints_a_manifest_that_validates_against_the_schema()
    {
        var (exitCode, output, error) = await RunCliAsync("https://partnerbot.example.com", "slack", "manifest");
        Assert.True(exitCode == 0, error);

        var errors = (await ManifestSchemaAsync()).Validate(output);
        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => e.ToString())));

        var manifest = JsonNode.Parse(output)!;
        Assert.Equal(1, manifest["_metadata"]!["major_version"]!.GetValue<int>());
        const string requestUrl = "https://partnerbot.example.com/api/slack/events";
        Assert.Equal(requestUrl, manifest["settings"]!["event_subscriptions"]!["request_url"]!.GetValue<string>());
        Assert.Equal(requestUrl, manifest["settings"]!["interactivity"]!["request_url"]!.GetValue<string>());
        Assert.True(manifest["settings"]!["interactivity"]!["is_enabled"]!.GetValue<bool>());
        Assert.Equal(["app_mention", "message.im"], manifest["settings"]!["event_subscriptions"]!["bot_events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(["chat:write", "commands", "app_mentions:read", "im:history", "users:read", "users:read.email"],
            manifest["oauth_config"]!["scopes"]!["bot"]!.AsArray().Select(e => e!.GetValue<string>()));
        var command = manifest["features"]!["slash_commands"]![0]!;
        Assert.Equal("/partnerbot", command["command"]!.GetValue<string>());
        Assert.Equal(requestUrl, command["url"]!.GetValue<string>());
        Assert.Contains("deploy", command["usage_hint"]!.GetValue<string>());
        Assert.Equal("PartnerBot", manifest["features"]!["bot_user"]!["display_name"]!.GetValue<string>());
        Assert.Equal("PartnerBot", manifest["display_information"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Schema_rejects_a_manifest_that_breaks_its_rules()
    {
        var schema = await ManifestSchemaAsync();
        var broken = SlackManifest.Build("https://partnerbot.example.com", ChatRouteTable.Product());
        broken["features"]!["slash_commands"]![0]!["command"] = "partnerbot";
        broken["settings"]!["interactivity"]!.AsObject().Remove("is_enabled");
        Assert.NotEmpty(schema.Validate(broken.ToJsonString()));
    }

    [Fact]
    public async Task Slack_manifest_command_explains_a_bad_public_url()
    {
        var (exitCode, _, error) = await RunCliAsync("not a url", "slack", "manifest");
        Assert.Equal(1, exitCode);
        Assert.Contains("PublicBaseUrl", error);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunCliAsync(string publicBaseUrl, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "partnerbot.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["PublicBaseUrl"] = publicBaseUrl;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
