using System.Text;
using System.Text.Json.Nodes;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Publishing;
using PartnerBot.Bot.Channels.DirectLine;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Publishing;

/// <summary>Connect, choose, publish, update and follow a repository over Direct Line, against a fake GitHub API.</summary>
public sealed class PublishingJourneyTests : IAsyncLifetime
{
    private PublishingTestHost _host = null!;

    public async Task InitializeAsync() => _host = await PublishingTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Connect_choose_publish_update_and_follow_deletions_without_ever_storing_or_showing_the_token()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Host.Client, "partner-a");

        // The token field is masked.
        await chat.SendTextAsync("github");
        var tokenForm = await chat.WaitForCardAsync(c => CardForms.HasInput(c, GitHubSettingsDialogIds.Token));
        Assert.Equal("password", (string?)CardForms.Input(tokenForm, GitHubSettingsDialogIds.Token)!["style"]);

        // A classic token without the repo scope: told exactly what is missing.
        await CardForms.SubmitAsync(chat, tokenForm, new() { ["token"] = FakeGitHub.NoRepoScopeToken });
        var missing = await chat.WaitForCardAsync(c => CardForms.HasInput(c, GitHubSettingsDialogIds.Token));
        Assert.Contains("missing the repo scope", DirectLineTestClient.AllText(missing));
        Assert.Contains("read:user, gist", DirectLineTestClient.AllText(missing));

        await CardForms.SubmitAsync(chat, missing, new() { ["token"] = FakeGitHub.ClassicToken });
        var connected = await chat.WaitForTextAsync("Connected to GitHub as");
        Assert.Contains("ghp_…456x", DirectLineTestClient.AllText(connected));

        // 150 repositories over two pages: a search above a dropdown of the first 100.
        var search = await chat.WaitForCardAsync(c => CardForms.HasInput(c, GitHubSettingsDialogIds.Search));
        Assert.Contains("150 repositories", DirectLineTestClient.AllText(search));
        var dropdown = await chat.WaitForCardAsync(c => CardForms.HasInput(c, GitHubSettingsDialogIds.Repository));
        Assert.Equal(100, CardForms.Input(dropdown, GitHubSettingsDialogIds.Repository)!["choices"]!.AsArray().Count);
        Assert.Equal(2, _host.GitHub.Server.LogEntries.Count(e => e.RequestMessage.Path == "/user/repos"));

        var searchData = CardForms.ActionData(search, "github.search");
        searchData[GitHubSettingsDialogIds.Search] = "modul";
        await chat.SubmitAsync(searchData);
        var filtered = await chat.WaitForCardAsync(c => CardForms.HasInput(c, GitHubSettingsDialogIds.Repository));
        var choice = Assert.Single(CardForms.Input(filtered, GitHubSettingsDialogIds.Repository)!["choices"]!.AsArray());
        Assert.Equal(FakeGitHub.Repository, (string?)choice!["value"]);

        await CardForms.SubmitAsync(chat, filtered, new() { [GitHubSettingsDialogIds.Repository] = FakeGitHub.Repository });
        await chat.WaitForTextAsync("is saved");

        // Publish lists valid and invalid modules with the choice, in one message; two are published.
        await chat.SendTextAsync("publish");
        var publishForm = await chat.WaitForCardAsync(c => CardForms.HasInput(c, "modules"));
        AssertOnlyBotMessageSinceLastInput(chat, publishForm);
        var listText = DirectLineTestClient.AllText(publishForm);
        Assert.Contains("network · new", listText);
        Assert.Contains("dns · new", listText);
        Assert.Contains("helpers · invalid", listText);
        Assert.Contains("Not a platform module", listText);
        Assert.DoesNotContain("docs", listText);
        Assert.Equal("Publish", SubmitTitle(publishForm));
        var offered = CardForms.Input(publishForm, "modules")!["choices"]!.AsArray().Select(c => (string?)c!["value"]).ToList();
        Assert.Equal(["dns", "network", "storage"], offered.Order().ToList());
        await CardForms.SubmitAsync(chat, publishForm, new() { ["modules"] = "network,storage" });
        await chat.WaitForTextAsync("Published: **network**, **storage**");

        var user = await _host.UserAsync(chat);
        Assert.Equal(["network", "storage"], await _host.CatalogNamesAsync(user.Id));
        var network = await _host.Service<IModuleCatalog>().GetAsync(user.Id, "network");
        Assert.Equal("github:acme/modules", network!.Source);
        Assert.Equal("Network: a private network.", network.Model.Metadata.Description);

        // A change in the repository shows as "changed" and is updated.
        _host.GitHub.AddModule("modules/storage", "storage", "Storage: buckets with lifecycle rules.");
        await chat.SendTextAsync("publish");
        var changed = await chat.WaitForCardAsync(c => CardForms.HasInput(c, "modules"));
        AssertOnlyBotMessageSinceLastInput(chat, changed);
        Assert.Contains("storage · changed", DirectLineTestClient.AllText(changed));
        Assert.Contains("network · unchanged", DirectLineTestClient.AllText(changed));
        // dns is new, so the button still publishes; "publish changed" updates every changed module at once.
        Assert.Equal("Publish", SubmitTitle(changed));
        await chat.SendTextAsync("publish changed");
        await chat.WaitForTextAsync("Updated: **storage**");
        var storage = await _host.Service<IModuleCatalog>().GetAsync(user.Id, "storage");
        Assert.Equal("Storage: buckets with lifecycle rules.", storage!.Model.Metadata.Description);

        // With every module on offer already published (only changed ones left), the button updates.
        await chat.SendTextAsync("publish new");
        await chat.WaitForTextAsync("Published: **dns**");
        _host.GitHub.AddModule("modules/storage", "storage", "Storage: buckets, lifecycle rules and replication.");
        await chat.SendTextAsync("publish");
        var onlyChanged = await chat.WaitForCardAsync(c => CardForms.HasInput(c, "modules"));
        AssertOnlyBotMessageSinceLastInput(chat, onlyChanged);
        Assert.Equal("Update", SubmitTitle(onlyChanged));
        Assert.Contains("Select the modules, then Update.", DirectLineTestClient.AllText(onlyChanged));
        await CardForms.SubmitAsync(chat, onlyChanged, new() { ["modules"] = "storage" });
        await chat.WaitForTextAsync("Updated: **storage**");

        // A folder deleted in the repository leaves the catalog on the next sync.
        _host.GitHub.RemoveFolder("modules/network");
        await chat.SendTextAsync("sync");
        await chat.WaitForTextAsync("Removed from the catalog because their folder is gone: **network**");
        Assert.Equal(["dns", "storage"], await _host.CatalogNamesAsync(user.Id));

        // An unchanged repository costs one request, answered 304.
        _host.GitHub.Server.ResetLogEntries();
        await chat.SendTextAsync("sync");
        await chat.WaitForTextAsync("is unchanged since the last sync");
        var entry = Assert.Single(_host.GitHub.Server.LogEntries);
        Assert.Equal(304, entry.ResponseMessage.StatusCode);

        // The token is nowhere: not in the database, the logs, or any activity.
        var transcript = await _host.TranscriptAsync(chat);
        Assert.DoesNotContain(FakeGitHub.ClassicToken, transcript);
        Assert.DoesNotContain(FakeGitHub.NoRepoScopeToken, transcript);
        Assert.DoesNotContain(FakeGitHub.ClassicToken, _host.Logs.AllText);
        Assert.Contains("GitHub token ghp_…456x connected", _host.Logs.AllText);
        var database = Encoding.UTF8.GetString(_host.DatabaseBytes());
        Assert.DoesNotContain(FakeGitHub.ClassicToken, database);
        Assert.DoesNotContain(FakeGitHub.NoRepoScopeToken, database);
        Assert.DoesNotContain(FakeGitHub.ClassicToken[4..20], database);
        // ...yet it is stored (encrypted), and readable by the host.
        var connection = await _host.Service<GitHubConnections>().GetAsync(user.Id);
        Assert.Equal(FakeGitHub.ClassicToken, _host.Service<GitHubConnections>().RevealToken(connection!));
    }

    [Fact]
    public async Task The_token_stays_readable_after_a_restart_because_the_key_ring_is_in_the_document_store()
    {
        await _host.ConnectAsync("partner-restart");
        var dataDirectory = _host.Host.DataDirectory;
        var restarted = await BotTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["GitHub:ApiBaseUrl"] = _host.GitHub.ApiUrl,
            ["Storage:Sqlite:Path"] = Path.Combine(dataDirectory, "partnerbot.db"),
        }, dataDirectory: dataDirectory);
        try
        {
            var connections = (GitHubConnections)restarted.Services.GetService(typeof(GitHubConnections))!;
            var connection = await connections.GetAsync("partner-restart");
            Assert.Equal(FakeGitHub.ClassicToken, connections.RevealToken(connection!));
            // Direct Line tokens (another protector on the same key ring) keep working too.
            var chat = await DirectLineTestClient.StartAsync(restarted.Client);
            await chat.SendTextAsync("menu");
            await chat.WaitForCardAsync();
        }
        finally
        {
            await restarted.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_fine_grained_token_must_be_able_to_read_the_chosen_repository()
    {
        _host.GitHub.FineGrainedCanReadContents = false;
        var chat = await DirectLineTestClient.StartAsync(_host.Host.Client);
        await chat.SendTextAsync("github");
        var tokenForm = await chat.WaitForCardAsync(c => CardForms.HasInput(c, GitHubSettingsDialogIds.Token));
        await CardForms.SubmitAsync(chat, tokenForm, new() { ["token"] = FakeGitHub.FineGrainedToken });
        await chat.WaitForTextAsync("fine-grained token");
        var search = await chat.WaitForCardAsync(c => CardForms.HasInput(c, GitHubSettingsDialogIds.Search));
        await chat.WaitForCardAsync(c => CardForms.HasInput(c, GitHubSettingsDialogIds.Repository));
        var data = CardForms.ActionData(search, "github.search");
        data[GitHubSettingsDialogIds.Search] = "acme/modules";
        await chat.SubmitAsync(data);
        var dropdown = await chat.WaitForCardAsync(c => CardForms.HasInput(c, GitHubSettingsDialogIds.Repository));
        await CardForms.SubmitAsync(chat, dropdown, new() { [GitHubSettingsDialogIds.Repository] = FakeGitHub.Repository });
        var refused = await chat.WaitForTextAsync("cannot read the contents of acme/modules");
        Assert.Contains("Contents: Read-only", DirectLineTestClient.AllText(refused));
        var user = await _host.UserAsync(chat);
        Assert.Null((await _host.Service<GitHubConnections>().GetAsync(user.Id))!.Repository);

        _host.GitHub.FineGrainedCanReadContents = true;
        await CardForms.SubmitAsync(chat, dropdown, new() { [GitHubSettingsDialogIds.Repository] = FakeGitHub.Repository });
        await chat.WaitForTextAsync("is saved");
        Assert.Equal(FakeGitHub.Repository, (await _host.Service<GitHubConnections>().GetAsync(user.Id))!.Repository);
        Assert.DoesNotContain(FakeGitHub.FineGrainedToken, await _host.TranscriptAsync(chat));
    }

    [Fact]
    public async Task A_token_pasted_into_the_chat_is_refused_flagged_and_removed_from_the_stored_transcript()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Host.Client);
        await chat.SendTextAsync("menu");
        await chat.WaitForCardAsync();
        await chat.SendTextAsync("my token is " + FakeGitHub.ClassicToken + " please use it");
        var warning = await chat.WaitForTextAsync("Please revoke that token");
        Assert.Contains("I removed your message", DirectLineTestClient.AllText(warning));

        var transcript = await _host.TranscriptAsync(chat);
        Assert.DoesNotContain(FakeGitHub.ClassicToken, transcript);
        Assert.Contains(DirectLineConversations.RedactedText, transcript);
        Assert.DoesNotContain(FakeGitHub.ClassicToken, _host.Logs.AllText);
        Assert.Contains(_host.Logs.Entries, e => e.Message.Contains("contains a GitHub token", StringComparison.Ordinal));
        Assert.DoesNotContain(FakeGitHub.ClassicToken, Encoding.UTF8.GetString(_host.DatabaseBytes()));
        // The token was not used: nothing asked GitHub, nothing was connected.
        Assert.Empty(_host.GitHub.Server.LogEntries);
        Assert.Null(await _host.Service<GitHubConnections>().GetAsync((await _host.UserAsync(chat)).Id));
    }

    [Fact]
    public async Task Changing_the_repository_removes_the_old_repository_modules()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Host.Client);
        await chat.SendTextAsync("menu");
        await chat.WaitForCardAsync();
        var user = await _host.UserAsync(chat);
        await _host.ConnectAsync(user.Id);
        await _host.PublishAsync(user.Id, "network", "dns");
        Assert.Equal(["dns", "network"], await _host.CatalogNamesAsync(user.Id));

        await chat.SendTextAsync("github");
        await chat.WaitForCardAsync(c => CardForms.HasInput(c, GitHubSettingsDialogIds.Token));
        await chat.SubmitAsync(new System.Text.Json.Nodes.JsonObject { ["verb"] = "github.repos" });
        var dropdown = await chat.WaitForCardAsync(c => CardForms.HasInput(c, GitHubSettingsDialogIds.Repository));
        await CardForms.SubmitAsync(chat, dropdown, new() { [GitHubSettingsDialogIds.Repository] = "acme/project-001" });
        var saved = await chat.WaitForTextAsync("is saved");
        Assert.Contains("2 modules published from acme/modules left the catalog", DirectLineTestClient.AllText(saved));
        Assert.Empty(await _host.CatalogNamesAsync(user.Id));
    }

    /// <summary>The title of the form's submit button.</summary>
    private static string? SubmitTitle(JsonObject activity) =>
        (string?)DirectLineTestClient.Actions(activity).Single(a => (string?)a["data"]?["verb"] == "form.submit")["title"];

    /// <summary>The bot answered the last input with exactly this one message.</summary>
    private static void AssertOnlyBotMessageSinceLastInput(DirectLineTestClient chat, JsonObject answer)
    {
        var at = chat.Received.IndexOf(answer);
        var lastInput = chat.Received.FindLastIndex(at, a => (string?)a["from"]?["role"] != "bot");
        Assert.Equal([answer], chat.Received.Skip(lastInput + 1).Take(at - lastInput).Where(a => (string?)a["from"]?["role"] == "bot"));
    }

}

/// <summary>The input ids of the GitHub settings cards, as the tests see them.</summary>
internal static class GitHubSettingsDialogIds
{
    public const string Token = PartnerBot.Bot.Features.Publishing.GitHubSettingsDialog.TokenInputId;
    public const string Repository = PartnerBot.Bot.Features.Publishing.GitHubSettingsDialog.RepositoryInputId;
    public const string Search = PartnerBot.Bot.Features.Publishing.GitHubSettingsDialog.SearchInputId;

}
