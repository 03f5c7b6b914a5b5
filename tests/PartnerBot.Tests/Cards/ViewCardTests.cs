using System.Text.Json.Nodes;
using PartnerBot.Cards;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Model;
using static PartnerBot.Tests.Cards.CardTestSupport;

namespace PartnerBot.Tests.Cards;

public class ViewCardTests
{
    internal static List<CatalogEntryView> Catalog(int count) => Enumerable.Range(1, count).Select(i => new CatalogEntryView(
        $"Module{i:0000}", $"Description of module {i} with enough words to look like a real one. " + new string('x', i % 7 * 60),
        i % 5 * 10, i % 3 == 0 ? ["Cloud Run", "Cloud SQL", "Memorystore"] : ["GKE"], i % 4 == 0 ? ModuleSource.Partner : ModuleSource.Platform)).ToList();

    private static void AssertFitsEverywhere(UiMessage message)
    {
        foreach (var host in new[] { CardHost.Teams, CardHost.WebChat })
        {
            var card = AdaptiveCardRenderer.Render(message, host);
            AssertValidCard(card);
            Assert.True(CardJson.Utf8Size(card) <= AdaptiveCardRenderer.MaxCardBytes, $"{CardJson.Utf8Size(card)} bytes");
        }
        var slack = BlockKitRenderer.RenderMessage(message);
        BlockKitRendererTests.AssertWithinLimits(BlockKitLimits.CheckMessage(slack.Blocks));
    }

    private static List<JsonObject> AcActions(JsonObject card) =>
        AdaptiveCardFormTests.Descendants(card["body"]!.AsArray()).Where(n => (string?)n["type"] == "ActionSet")
            .SelectMany(n => n["actions"]!.AsArray().Select(a => a!.AsObject())).ToList();

    /// <summary>All string values of a JSON tree, one per line (JSON text escapes emoji, so compare decoded strings).</summary>
    internal static string Strings(JsonNode node) => node switch
    {
        JsonObject o => string.Join("\n", o.Select(p => p.Value is null ? "" : Strings(p.Value))),
        JsonArray a => string.Join("\n", a.Select(e => e is null ? "" : Strings(e))),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => "",
    };

    [Fact]
    public void Catalog_of_1000_modules_pages_within_limits_on_every_page_and_tab()
    {
        var catalog = Catalog(1000);
        foreach (var tab in new[] { ModuleSource.Platform, ModuleSource.Partner })
        {
            var count = CatalogCard.Filter(catalog, tab, null).Count;
            var pages = (count + CatalogCard.PageSize - 1) / CatalogCard.PageSize;
            foreach (var page in new[] { 0, 1, pages / 2, pages - 1 })
                AssertFitsEverywhere(CatalogCard.Build(catalog, tab, null, page));
        }
    }

    [Fact]
    public void Catalog_has_tabs_search_pick_buttons_and_paging_verbs()
    {
        var message = CatalogCard.Build(Catalog(40), ModuleSource.Platform, null, 1);
        var card = AdaptiveCardRenderer.Render(message, CardHost.WebChat);
        var actions = AcActions(card);
        var verbs = actions.Select(a => (string?)a["data"]!["verb"]).ToList();
        Assert.Equal(2, verbs.Count(v => v == "deploy.tab"));
        Assert.Contains("deploy.search", verbs);
        Assert.Equal(CatalogCard.PageSize, verbs.Count(v => v == "deploy.pick"));
        Assert.Equal([0, 2], actions.Where(a => (string?)a["data"]!["verb"] == "deploy.page").Select(a => (int)a["data"]!["page"]!));
        var pick = actions.First(a => (string?)a["data"]!["verb"] == "deploy.pick");
        Assert.StartsWith("Module", (string?)pick["data"]!["module"]);
        var search = AdaptiveCardFormTests.Descendants(card["body"]!.AsArray()).Single(n => (string?)n["type"] == "Input.Text");
        Assert.Equal(CatalogCard.SearchInputId, (string?)search["id"]);
        Assert.Contains("Showing 9–16 of 30", CardJson.ToJson(card));
    }

    [Fact]
    public void Catalog_search_filters_by_name_description_and_service_and_keeps_the_query_when_paging()
    {
        var catalog = Catalog(100);
        var matches = CatalogCard.Filter(catalog, ModuleSource.Platform, "cloud sql");
        Assert.Equal(catalog.Count(e => e.Source == ModuleSource.Platform && e.Services.Contains("Cloud SQL")), matches.Count);
        Assert.Single(CatalogCard.Filter(catalog, ModuleSource.Platform, "module0042"));
        Assert.Single(CatalogCard.Filter(catalog, ModuleSource.Platform, "of module 42 "));
        Assert.All(matches, m => Assert.Contains("Cloud SQL", m.Services));
        var message = CatalogCard.Build(catalog, ModuleSource.Platform, "cloud sql", 0);
        var next = AcActions(AdaptiveCardRenderer.Render(message, CardHost.Teams)).Single(a => (string?)a["verb"] == "deploy.page");
        Assert.Equal("cloud sql", (string?)next["data"]!["query"]);
        AssertFitsEverywhere(CatalogCard.Build(catalog, ModuleSource.Partner, "no such thing"));
    }

    [Fact]
    public void Catalog_search_on_Slack_dispatches_on_enter()
    {
        var slack = BlockKitRenderer.RenderMessage(CatalogCard.Build(Catalog(10)));
        var input = slack.Blocks.Single(b => (string?)b!["type"] == "input")!;
        Assert.Equal((true, CatalogCard.SearchInputId, "deploy.search"), ((bool)input["dispatch_action"]!, (string?)input["block_id"], (string?)input["element"]!["action_id"]));
    }

    [Fact]
    public void Deployment_card_shows_progress_elapsed_outputs_and_hides_sensitive_values()
    {
        var started = new DateTimeOffset(2026, 11, 23, 21, 0, 0, TimeSpan.Zero);
        var view = new DeploymentView("d-42", "Wordpress", DeploymentViewStatus.Running, 3, 10, started,
            started.AddSeconds(252), [new DeploymentOutputView("url", "https://blog.example.org"), new DeploymentOutputView("db_password", "hunter2", Sensitive: true)],
            [new UiAction("Refresh", "deployment.refresh", new JsonObject { ["deploymentId"] = "d-42" })], Phase: "Deploying…");
        var message = DeploymentCard.Build(view);
        AssertFitsEverywhere(message);
        var json = Strings(AdaptiveCardRenderer.Render(message, CardHost.Teams));
        Assert.Contains("🔄 Wordpress: Deploying… (4 min 12 s)", json);
        Assert.Contains("▰▰▰▱▱▱▱▱▱▱  Step 3 of 10", json);
        Assert.Contains("2026-11-23 21:00:00 UTC", json);
        Assert.Contains("2026-11-23 21:04:12 UTC", json);
        Assert.Contains("https://blog.example.org", json);
        Assert.DoesNotContain("hunter2", json);
        Assert.DoesNotContain("hunter2", BlockKitRenderer.RenderMessage(message).Blocks.ToJsonString());
        Assert.Equal("Wordpress: Deploying… (4 min 12 s)", message.Summary);
        Assert.Equal("▰▰▰▰▰▰▰▰▰▰", DeploymentCard.ProgressBar(12, 10));
        Assert.Equal("1 h 5 min", DeploymentCard.FormatElapsed(TimeSpan.FromMinutes(65)));
    }

    [Theory]
    [InlineData(DeploymentViewStatus.Queued, "Queued", 0, "Queued")]
    [InlineData(DeploymentViewStatus.Queued, "Queued", 45, "Queued (45 s)")]
    [InlineData(DeploymentViewStatus.Running, "Deploying…", 80, "Deploying… (1 min 20 s)")]
    [InlineData(DeploymentViewStatus.Succeeded, "Succeeded", 123, "Succeeded in 2 min 3 s")]
    [InlineData(DeploymentViewStatus.Failed, "Failed", 7, "Failed after 7 s")]
    [InlineData(DeploymentViewStatus.Cancelled, "Cancelled", 3900, "Cancelled after 1 h 5 min")]
    [InlineData(DeploymentViewStatus.Succeeded, "Deleted", 0, "Deleted")]
    public void Deployment_card_headline_says_the_state_once_with_its_time(DeploymentViewStatus status, string phase, int seconds, string expected)
    {
        var started = new DateTimeOffset(2026, 11, 23, 21, 0, 0, TimeSpan.Zero);
        var view = new DeploymentView("d-1", "Network", status, 1, 3, started, started.AddSeconds(seconds), [], [], Phase: phase);
        Assert.Equal(expected, DeploymentCard.Headline(view));
        var text = Strings(AdaptiveCardRenderer.Render(DeploymentCard.Build(view), CardHost.WebChat));
        Assert.Contains("Network: " + expected, text);
        Assert.Equal(seconds > 0, text.Contains(view.Finished ? "Finished" : "Last update", StringComparison.Ordinal));
    }

    [Fact]
    public void Confirmation_and_error_cards_render_everywhere()
    {
        var confirm = ConfirmationCard.Build("Destroy Wordpress?", "This deletes **all** resources.",
            new UiAction("Destroy", "deployment.destroy", new JsonObject { ["deploymentId"] = "d-1" }, UiActionStyle.Destructive),
            new UiAction("Cancel", "deployment.keep"), facts: [new UiFact("Deployment", "d-1")]);
        AssertFitsEverywhere(confirm);
        Assert.Equal(["deployment.destroy", "deployment.keep"], confirm.Actions.Select(a => a.Verb));
        var error = ErrorCard.Build("Deployment failed", "Terraform exited with code 1: <quota exceeded>", "err-123");
        AssertFitsEverywhere(error);
        Assert.Equal(["menu", "support"], error.Actions.Select(a => a.Verb));
    }
}
