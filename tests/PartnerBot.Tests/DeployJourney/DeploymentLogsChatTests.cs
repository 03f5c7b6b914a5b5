using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Bot.Features.Deployments;
using PartnerBot.Tests.Deployments;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.DeployJourney;

/// <summary>A partner reads the whole log of a deployment in the chat, page by page, not only its last lines.</summary>
public sealed class DeploymentLogsChatTests : IAsyncLifetime
{
    private readonly FakeTerraform _terraform = new();
    private BotTestHost _host = null!;

    public async Task InitializeAsync() => _host = await BotTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Deployments:Local:SearchPath"] = _terraform.SearchPath,
            ["Deployments:RequirePlanApproval"] = "false",
        ["LocalChat:Roles"] = "user,partner",
    });

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _terraform.Dispose();
    }

    [Fact]
    public async Task Logs_opens_at_the_newest_page_and_Older_and_Newer_page_through_every_line()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync("deploy Network");
        var confirm = await FormDriver.FillRemainingStepsAsync(chat, await FormDriver.WaitForFormAsync(chat),
            new Dictionary<string, string> { ["project_id"] = "acme-prod-1", ["subnet_count"] = "2" });
        await chat.SubmitAsync(DirectLineTestClient.Actions(confirm).Single(a => (string?)a["data"]?["verb"] == "deploy.confirm")["data"]!.DeepClone().AsObject());
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Succeeded"), TimeSpan.FromSeconds(90));

        // The run's own lines, then 45 more reported in three batches, as a runner reports them.
        var user = await _host.Services.GetRequiredService<UserDirectory>().FindByIdentityAsync("directline", chat.UserId);
        var caller = new DeploymentCaller(user!.Id, false);
        var service = _host.Services.GetRequiredService<IDeploymentService>();
        var deployment = (await service.ListAsync(caller, false, null, null)).Items.Single();
        var logs = _host.Services.GetRequiredService<DeploymentLogs>();
        for (var batch = 0; batch < 3; batch++)
            await logs.AppendAsync(user.Id, deployment.Id, Enumerable.Range(batch * 15 + 1, 15).Select(i => $"step {i:D3} done").ToList(), $"test-batch-{batch}");
        var all = new List<string>();
        string? token = null;
        do
        {
            var page = (await service.GetLogsAsync(caller, deployment.Id, token, 100))!;
            all.AddRange(page.Lines);
            token = page.ContinuationToken;
        } while (token is not null);
        Assert.True(all.Count > DeploymentsDialog.LogPageLines * 2, $"the log has {all.Count} lines");
        var pages = (all.Count + DeploymentsDialog.LogPageLines - 1) / DeploymentsDialog.LogPageLines;

        // Details → Logs: the newest page, with the last line and without the first.
        await chat.SubmitAsync(new JsonObject { ["verb"] = DeploymentRoutes.Show, ["deploymentId"] = deployment.Id });
        var details = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Last log lines"));
        await chat.SubmitAsync(ActionData(details, "Logs"));
        var newest = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains($"page {pages} of {pages}"));
        Assert.Contains("step 045 done", DirectLineTestClient.AllText(newest));
        Assert.DoesNotContain(DirectLineTestClient.Actions(newest), a => (string?)a["title"] == "Newer ▶");

        // Older, all the way back: each page shows its own lines of the log.
        AssertShowsPage(newest, all, pages - 1);
        var current = newest;
        for (var page = pages - 2; page >= 0; page--)
        {
            await chat.SubmitAsync(ActionData(current, "◀ Older"));
            var expected = $"page {page + 1} of {pages}";
            current = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains(expected));
            AssertShowsPage(current, all, page);
        }
        Assert.Contains(all[0], DirectLineTestClient.AllText(current).Replace("\\", "")); // the very first line of the log
        Assert.DoesNotContain(DirectLineTestClient.Actions(current), a => (string?)a["title"] == "◀ Older");

        // Newer goes forward again.
        await chat.SubmitAsync(ActionData(current, "Newer ▶"));
        var second = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains($"page 2 of {pages}"));
        Assert.Contains(all[DeploymentsDialog.LogPageLines], DirectLineTestClient.AllText(second));
    }

    [Fact]
    public async Task Logs_of_a_deployment_of_another_partner_are_not_shown()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SubmitAsync(new JsonObject { ["verb"] = DeploymentRoutes.Logs, ["deploymentId"] = "dep-someone-else" });
        await chat.WaitForTextAsync("I can't find that deployment among yours.");
    }

    private static JsonObject ActionData(JsonObject card, string title) =>
        DirectLineTestClient.Actions(card).First(a => (string?)a["title"] == title)["data"]!.DeepClone().AsObject();

    /// <summary>The card shows exactly the lines of page <paramref name="page"/>, and says which they are.</summary>
    private static void AssertShowsPage(JsonObject card, IReadOnlyList<string> all, int page)
    {
        var size = DeploymentsDialog.LogPageLines;
        var text = DirectLineTestClient.AllText(card).Replace("\\", "");
        var first = page * size;
        var lines = all.Skip(first).Take(size).ToList();
        Assert.Contains($"Lines {first + 1}–{first + lines.Count} of {all.Count}", text);
        foreach (var line in lines) Assert.Contains(line, text);
        var shownLines = text.Split('\n').ToHashSet();
        var otherPages = all.Where((line, i) => (i < first || i >= first + size) && line.StartsWith("step ", StringComparison.Ordinal));
        Assert.DoesNotContain(otherPages, shownLines.Contains);
    }
}
