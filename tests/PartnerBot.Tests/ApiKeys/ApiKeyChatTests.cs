using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Bot.Channels.DirectLine;
using PartnerBot.Tests.Deployments;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.ApiKeys;

/// <summary>
/// A partner gets, lists and revokes REST API keys in Web Chat (Direct Line over real HTTP against the real host),
/// and uses them against the REST API of the same host; deployments run the real Terraform CLI on the sample catalog.
/// </summary>
public sealed class ApiKeyChatTests : IAsyncLifetime
{
    private readonly LogCapture _logs = new();
    private BotTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await BotTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Deployments:Runner"] = "Local",
            ["Deployments:RequirePlanApproval"] = "false",
            ["Logging:LogLevel:Default"] = "Debug",
        }, configure: builder => builder.Logging.AddProvider(_logs));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [TerraformFact]
    public async Task A_key_from_the_chat_lists_the_partners_deployment_and_is_never_stored()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        var key = await CreateKeyInChatAsync(chat, "api key create CI pipeline");
        var owner = (await _host.Services.GetRequiredService<UserDirectory>().FindByIdentityAsync(DirectLineChannel.ChannelId, chat.UserId))!;
        var deploymentId = await DeployNetworkAsync(owner);

        using var api = ApiClient(key);
        var listed = (await api.GetFromJsonAsync<JsonObject>("api/deployments"))!["items"]!.AsArray();
        var item = Assert.Single(listed)!;
        Assert.Equal(deploymentId, (string?)item["id"]);
        Assert.Equal("Network", (string?)item["moduleName"]);
        var done = await WaitForEndAsync(api, deploymentId);
        Assert.Equal("Success", (string?)done["state"]);
        // A chat key is never an admin key, even for an admin.
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("api/deployments?all=true")).StatusCode);

        // Replaying the conversation (a reloaded page) shows the note, not the key.
        var replay = await ReadTranscriptAsync(chat);
        Assert.DoesNotContain(key, replay);
        Assert.Contains("was shown here once and is not kept", replay);

        Assert.DoesNotContain(key, _logs.AllText);
        Assert.False(DatabaseFilesContain(key), "the plain API key was found in the SQLite database files");
        Assert.True(DatabaseFilesContain(ApiKeyStore.Hash(key)), "the key's hash should be stored (the check reads the right files)");
    }

    [Fact]
    public async Task Keys_are_listed_with_last_use_and_a_revoked_key_stops_working_at_once()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("api keys");
        var empty = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Your API keys"));
        Assert.Contains("no API keys yet", DirectLineTestClient.AllText(empty));

        // The list card's Create button with the name typed into its field, as Web Chat submits it.
        var create = DirectLineTestClient.Actions(empty).Single(a => (string?)a["data"]?["verb"] == "apikey.create");
        var submitted = create["data"]!.DeepClone().AsObject();
        submitted["keyName"] = "laptop";
        await chat.SubmitAsync(submitted);
        var key = PlainKey(await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Your new API key")));

        using var api = ApiClient(key);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("api/credits")).StatusCode);

        await chat.SendTextAsync("api key");
        var list = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Your API keys"));
        var text = DirectLineTestClient.AllText(list);
        Assert.Contains("laptop", text);
        Assert.Contains("pbk_…" + key[^4..], text);
        Assert.Matches(@"created \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", text);
        Assert.DoesNotContain("last used never", text);
        Assert.Matches(@"last used \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", text);
        Assert.DoesNotContain(key, text);

        var revoke = DirectLineTestClient.Actions(list).Single(a => (string?)a["data"]?["verb"] == "apikey.revoke");
        await chat.SubmitAsync(revoke["data"]!.DeepClone().AsObject());
        var confirm = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Revoke this API key?"));
        Assert.Contains("laptop", DirectLineTestClient.AllText(confirm));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("api/credits")).StatusCode);

        var yes = DirectLineTestClient.Actions(confirm).Single(a => (string?)a["data"]?["verb"] == "apikey.revoke.confirm");
        await chat.SubmitAsync(yes["data"]!.DeepClone().AsObject());
        var after = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("it no longer works"));
        Assert.Contains("no API keys yet", DirectLineTestClient.AllText(after));

        var refused = await api.GetAsync("api/credits");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        // The same Revoke button pressed again is a friendly answer, not an error.
        await chat.SubmitAsync(yes["data"]!.DeepClone().AsObject());
        await chat.WaitForTextAsync("You have no API key");
    }

    [Fact]
    public async Task Keys_are_revoked_by_typed_name_too()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        var key = await CreateKeyInChatAsync(chat, "apikey new build server");
        await chat.SendTextAsync("api key revoke build server");
        var confirm = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Revoke this API key?"));
        var yes = DirectLineTestClient.Actions(confirm).Single(a => (string?)a["data"]?["verb"] == "apikey.revoke.confirm");
        await chat.SubmitAsync(yes["data"]!.DeepClone().AsObject());
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("it no longer works"));

        using var api = ApiClient(key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("api/deployments")).StatusCode);

        await chat.SendTextAsync("api key revoke nothing-like-this");
        await chat.WaitForTextAsync("You have no API key");
        await chat.SendTextAsync("api key frobnicate");
        await chat.WaitForBotAsync(a => DirectLineTestClient.AllText(a).Contains("I don't know"));
    }

    [TerraformFact]
    public async Task A_partners_key_cannot_read_another_partners_deployment()
    {
        var ann = await DirectLineTestClient.StartAsync(_host.Client);
        var annKey = await CreateKeyInChatAsync(ann, "api key create ann");
        var bob = await DirectLineTestClient.StartAsync(_host.Client);
        var bobKey = await CreateKeyInChatAsync(bob, "api key create bob");
        var bobUser = (await _host.Services.GetRequiredService<UserDirectory>().FindByIdentityAsync(DirectLineChannel.ChannelId, bob.UserId))!;
        var bobsDeployment = await DeployNetworkAsync(bobUser);

        using var annApi = ApiClient(annKey);
        Assert.Empty((await annApi.GetFromJsonAsync<JsonObject>("api/deployments"))!["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await annApi.GetAsync($"api/deployments/{bobsDeployment}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await annApi.GetAsync($"api/deployments/{bobsDeployment}/logs")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await annApi.PostAsync($"api/deployments/{bobsDeployment}/cancel", null)).StatusCode);

        using var bobApi = ApiClient(bobKey);
        Assert.Equal("Success", (string?)(await WaitForEndAsync(bobApi, bobsDeployment))["state"]);
        Assert.Equal(HttpStatusCode.NotFound, (await annApi.DeleteAsync($"api/deployments/{bobsDeployment}")).StatusCode);
        Assert.Equal("Success", (string?)(await bobApi.GetFromJsonAsync<JsonObject>($"api/deployments/{bobsDeployment}"))!["state"]);
    }

    [Fact]
    public async Task A_key_pasted_into_the_chat_is_refused_and_kept_out_of_the_transcript()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        var key = await CreateKeyInChatAsync(chat, "api key create pasted");

        await chat.SendTextAsync($"is this right? {key}");
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Please revoke that key"));

        Assert.DoesNotContain(key, await ReadTranscriptAsync(chat));
        Assert.DoesNotContain(key, _logs.AllText);
        Assert.False(DatabaseFilesContain(key), "the pasted API key was found in the SQLite database files");
    }

    /// <summary>Sends <paramref name="command"/> and returns the key from the masked field of the card that shows it.</summary>
    private static async Task<string> CreateKeyInChatAsync(DirectLineTestClient chat, string command)
    {
        await chat.SendTextAsync(command);
        var card = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Your new API key"));
        Assert.DoesNotContain(DirectLineTestClient.Actions(card), a => (string?)a["type"] is "Action.Submit" or "Action.Execute");
        return PlainKey(card);
    }

    /// <summary>The value of the masked field, checking it is masked and that its copyable twin holds the same key.</summary>
    private static string PlainKey(JsonObject card)
    {
        var inputs = FormDriver.Inputs(card).ToList();
        var masked = inputs.Single(i => (string?)i["style"] == "Password");
        var key = (string)masked["value"]!;
        Assert.Matches("^pbk_[A-Za-z0-9_-]{43}$", key);
        var copyable = inputs.Single(i => (string?)i["id"] == (string?)masked["id"] + "Shown");
        Assert.Equal(key, (string?)copyable["value"]);
        Assert.False((bool)copyable["isVisible"]!);
        Assert.Contains(DirectLineTestClient.Actions(card), a => (string?)a["type"] == "Action.ToggleVisibility");
        return key;
    }

    private HttpClient ApiClient(string key)
    {
        var client = new HttpClient { BaseAddress = _host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private async Task<string> DeployNetworkAsync(PlatformUser owner)
    {
        var result = await _host.Services.GetRequiredService<IDeploymentService>().StartAsync(
            new StartDeploymentRequest(owner.Id, new CatalogViewer(owner.Id, owner.Email, false), "Network",
                new JsonObject { ["project_id"] = "acme-prod-1" }), "api-key-test-" + owner.Id);
        return Assert.IsType<StartDeploymentResult.Started>(result).Deployment.Id;
    }

    /// <summary>Polls the deployment through the REST API until it has finished (generous: real Terraform on a busy machine).</summary>
    private static async Task<JsonObject> WaitForEndAsync(HttpClient api, string id)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            var deployment = (await api.GetFromJsonAsync<JsonObject>($"api/deployments/{id}"))!;
            if ((string?)deployment["state"] is "Success" or "Failure" or "InternalError" or "Cancelled") return deployment;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Deployment {id} is still {deployment["state"]}.");
            await Task.Delay(200);
        }
    }

    /// <summary>Everything the conversation's history holds now, as a reconnecting page reads it from the start.</summary>
    private async Task<string> ReadTranscriptAsync(DirectLineTestClient chat)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v3/directline/conversations/{chat.ConversationId}/activities?watermark=0");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", chat.Token);
        var response = await _host.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>True when the text appears in the host's SQLite files (the database and its write-ahead log), read as they are on disk.</summary>
    private bool DatabaseFilesContain(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        foreach (var path in Directory.GetFiles(_host.DataDirectory, "partnerbot.db*"))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            if (copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(needle) >= 0) return true;
        }
        return false;
    }
}
