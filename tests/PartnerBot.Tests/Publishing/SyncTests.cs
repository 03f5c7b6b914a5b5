using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Publishing;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Publishing;

/// <summary>Sync cost, isolation between partners, GitHub failures, and the platform repository.</summary>
public sealed class SyncTests : IAsyncLifetime
{
    private PublishingTestHost _host = null!;

    public async Task InitializeAsync() => _host = await PublishingTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_first_sync_of_50_modules_costs_at_most_3_requests_and_an_unchanged_one_costs_1()
    {
        for (var i = 1; i <= 50; i++) _host.GitHub.AddModule($"modules/m{i:D2}", $"m{i:D2}", $"Module {i}.");
        var owner = await _host.ConnectAsync("partner-50");
        var publisher = _host.Service<ModulePublisher>();

        _host.GitHub.Server.ResetLogEntries();
        var first = await publisher.SyncPartnerAsync(owner, needSnapshot: true);
        Assert.True(_host.GitHub.RepositoryRequests <= 3, $"{_host.GitHub.RepositoryRequests} requests");
        Assert.Equal(53, first.Snapshot!.Modules.Count(m => m.Valid)); // 50 + network, storage, dns
        Assert.False(first.Unchanged);

        _host.GitHub.Server.ResetLogEntries();
        var second = await publisher.SyncPartnerAsync(owner, needSnapshot: true);
        Assert.True(second.Unchanged);
        var only = Assert.Single(_host.GitHub.Server.LogEntries);
        Assert.Equal(304, only.ResponseMessage.StatusCode);
        Assert.Equal(first.Snapshot.Sha, second.Snapshot!.Sha);
    }

    [Fact]
    public async Task Partner_b_can_neither_see_nor_deploy_partner_a_modules()
    {
        var chatA = await DirectLineTestClient.StartAsync(_host.Host.Client, "partner-a");
        await chatA.SendTextAsync("menu");
        await chatA.WaitForCardAsync();
        var a = await _host.UserAsync(chatA);
        await _host.ConnectAsync(a.Id);
        await _host.PublishAsync(a.Id, "network");

        var chatB = await DirectLineTestClient.StartAsync(_host.Host.Client, "partner-b");
        await chatB.SendTextAsync("deploy network");
        await chatB.WaitForTextAsync("can't find a module called **network**");
        var b = await _host.UserAsync(chatB);

        var keys = _host.Service<ApiKeyStore>();
        var keyA = await keys.CreateAsync(a.Id, admin: false, "a", null);
        var keyB = await keys.CreateAsync(b.Id, admin: false, "b", null);
        Assert.Contains("network", await ModuleNamesAsync(keyA.Key));
        Assert.DoesNotContain("network", await ModuleNamesAsync(keyB.Key));
        using var one = new HttpRequestMessage(HttpMethod.Get, "api/modules/network?owner=" + Uri.EscapeDataString(a.Id));
        one.Headers.Add("X-Api-Key", keyB.Key);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Host.Client.SendAsync(one)).StatusCode);

        // A's own chat deploy finds it.
        await chatA.SendTextAsync("deploy network");
        await chatA.WaitForTextAsync("network");
    }

    public static TheoryData<string, string> Failures => new()
    {
        { "revoked", "no longer accepts your token" },
        { "rate-limit", "rate limit for this token is used up. It resets at" },
        { "not-found", "does not exist or this token cannot read it" },
        { "server-error", "HTTP 502, 3 attempts" },
        { "timeout", "no answer within 2 s, 3 attempts" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_failed_sync_says_why_and_removes_nothing(string failure, string message)
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Host.Client);
        await chat.SendTextAsync("menu");
        await chat.WaitForCardAsync();
        var user = await _host.UserAsync(chat);
        await _host.ConnectAsync(user.Id);
        await _host.PublishAsync(user.Id, "network", "storage");
        // A successful sync would now remove network.
        _host.GitHub.RemoveFolder("modules/network");

        var reset = DateTimeOffset.UtcNow.AddMinutes(17);
        switch (failure)
        {
            case "revoked": _host.GitHub.RevokedTokens.Add(FakeGitHub.ClassicToken); break;
            case "rate-limit": _host.GitHub.RepositoryOverride = _ => FakeGitHub.RateLimited(reset); break;
            case "not-found": _host.GitHub.RepositoryOverride = _ => FakeGitHub.NotFound(); break;
            case "server-error": _host.GitHub.RepositoryOverride = _ => FakeGitHub.ServerError(); break;
            case "timeout": _host.GitHub.RepositoryDelay = TimeSpan.FromSeconds(4); break;
        }

        await chat.SendTextAsync("publish");
        var card = await chat.WaitForTextAsync(message, TimeSpan.FromSeconds(40));
        var text = DirectLineTestClient.AllText(card);
        Assert.Contains("Nothing was changed in the catalog", text);
        if (failure == "rate-limit") Assert.Contains($"{reset.UtcDateTime:HH:mm} UTC", text);
        Assert.Equal(["network", "storage"], await _host.CatalogNamesAsync(user.Id));

        // Once GitHub answers again, the same sync removes the deleted module.
        _host.GitHub.RevokedTokens.Clear();
        _host.GitHub.RepositoryOverride = null;
        _host.GitHub.RepositoryDelay = TimeSpan.Zero;
        await chat.SendTextAsync("sync");
        await chat.WaitForTextAsync("**network**", TimeSpan.FromSeconds(40));
        Assert.Equal(["storage"], await _host.CatalogNamesAsync(user.Id));
    }

    [Fact]
    public async Task The_platform_repository_syncs_at_start_and_on_an_admin_request()
    {
        await using var platform = await PublishingTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["GitHub:PlatformRepository"] = FakeGitHub.Repository,
            ["GitHub:PlatformToken"] = FakeGitHub.ClassicToken,
        });
        var catalog = platform.Service<IModuleCatalog>();
        var admin = new CatalogViewer("someone", null, IsAdmin: true);
        // The start-up sync saves the repository's modules one after another: wait for the last of them.
        for (var i = 0; i < 100 && (await catalog.GetAsync(ModuleCatalog.PlatformOwner, "dns") is null
            || await catalog.GetAsync(ModuleCatalog.PlatformOwner, "network") is null); i++) await Task.Delay(100);
        var dns = await catalog.GetAsync(ModuleCatalog.PlatformOwner, "dns");
        Assert.Equal("github:acme/modules", dns!.Source);
        Assert.NotNull(await catalog.FindAsync(admin, "network", ModuleCatalog.PlatformOwner));

        var chat = await DirectLineTestClient.StartAsync(platform.Host.Client);
        await chat.SendTextAsync("sync platform");
        await chat.WaitForTextAsync("Only admins can sync the platform modules");
        var user = await platform.UserAsync(chat);
        await platform.Service<UserDirectory>().GrantRoleAsync(user.Id, "admin");

        await chat.SendTextAsync("sync platform");
        await chat.WaitForTextAsync("is unchanged since the last sync");

        platform.GitHub.RemoveFolder("dns");
        await chat.SendTextAsync("sync platform");
        await chat.WaitForTextAsync("Synced platform modules");
        Assert.Null(await catalog.GetAsync(ModuleCatalog.PlatformOwner, "dns"));
        Assert.NotNull(await catalog.GetAsync(ModuleCatalog.PlatformOwner, "network"));
        // The modules of the platform's folder are another source and stay.
        Assert.NotNull(await catalog.GetAsync(ModuleCatalog.PlatformOwner, "Network"));
    }

    private async Task<List<string>> ModuleNamesAsync(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/modules?scope=partner&pageSize=200");
        request.Headers.Add("X-Api-Key", key);
        var response = await _host.Host.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return body!["items"]!.AsArray().Select(i => (string)i!["name"]!).ToList();
    }
}
