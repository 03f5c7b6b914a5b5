using System.Text.Json.Nodes;
using PartnerBot.Cards;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;
using static PartnerBot.Tests.Cards.CardTestSupport;

namespace PartnerBot.Tests.Cards;

/// <summary>
/// Representative cards compared with reviewed JSON in TestData/Cards/Snapshots. After an intended change, run with
/// PARTNERBOT_UPDATE_SNAPSHOTS=1 to rewrite the files in the source tree, review the diff, and commit.
/// </summary>
public class SnapshotTests
{
    private const string UpdateVariable = "PARTNERBOT_UPDATE_SNAPSHOTS";

    public static IEnumerable<object[]> Cases() => Snapshots().Select(s => new object[] { s.Key });

    private static Dictionary<string, Func<JsonNode>> Snapshots()
    {
        var menu = MainMenuCard.Build(CardTestSupport.MenuItems);
        var catalog = CatalogCard.Build(ViewCardTests.Catalog(20), ModuleSource.Platform, null, 1);
        var deployment = DeploymentCard.Build(new DeploymentView("d-42", "Wordpress", DeploymentViewStatus.Succeeded, 7, 7,
            new DateTimeOffset(2026, 11, 23, 21, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 23, 21, 12, 34, TimeSpan.Zero),
            [new DeploymentOutputView("site_url", "https://blog.example.org"), new DeploymentOutputView("admin_password", "x", Sensitive: true)],
            [new UiAction("Update", "deployment.update", new JsonObject { ["deploymentId"] = "d-42" }), new UiAction("Destroy", "deployment.destroy", new JsonObject { ["deploymentId"] = "d-42" }, UiActionStyle.Destructive)]));
        var confirm = ConfirmationCard.Build("Deploy Wordpress?", "This costs **25 credits**.", new UiAction("Deploy", "deploy.confirm", new JsonObject { ["formId"] = "provision:Wordpress:create" }),
            new UiAction("Cancel", "deploy.cancel"), facts: [new UiFact("Balance after", "75 credits")]);
        var error = ErrorCard.Build("Not enough credits", "You need 25 credits and have 10.", "req-7f3a");
        var form = ProvisioningFormBuilder.Build(SampleModules.Wordpress(), ProvisioningFormMode.Create);
        var values = new Dictionary<string, string?> { ["create_postgres"] = "true" };
        var errors = new Dictionary<string, string> { ["database_password_length"] = "Between 8 and 64." };
        return new()
        {
            ["main-menu.teams"] = () => AdaptiveCardRenderer.Render(menu, CardHost.Teams),
            ["main-menu.webchat"] = () => AdaptiveCardRenderer.Render(menu, CardHost.WebChat),
            ["main-menu.slack"] = () => BlockKitRenderer.RenderMessage(menu).ToPayload(),
            ["catalog.teams"] = () => AdaptiveCardRenderer.Render(catalog, CardHost.Teams),
            ["catalog.slack"] = () => BlockKitRenderer.RenderMessage(catalog).ToPayload(),
            ["deployment.teams"] = () => AdaptiveCardRenderer.Render(deployment, CardHost.Teams),
            ["deployment.slack"] = () => BlockKitRenderer.RenderMessage(deployment).ToPayload(),
            ["confirmation.webchat"] = () => AdaptiveCardRenderer.Render(confirm, CardHost.WebChat),
            ["error.teams"] = () => AdaptiveCardRenderer.Render(error, CardHost.Teams),
            ["form-step2.teams"] = () => AdaptiveCardRenderer.RenderFormStep(form, 1, values, errors, CardHost.Teams),
            ["form-step2.webchat"] = () => AdaptiveCardRenderer.RenderFormStep(form, 1, values, errors, CardHost.WebChat),
            ["form-step2.slack"] = () => BlockKitRenderer.RenderModal(form, 1, values, errors),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rendering_matches_the_reviewed_snapshot(string name)
    {
        var actual = CardJson.ToJson(Snapshots()[name](), indented: true).ReplaceLineEndings("\n") + "\n";
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            var root = RepositoryRoot() ?? throw new InvalidOperationException("Repository root not found; cannot update snapshots.");
            var target = Path.Combine(root, "tests", "PartnerBot.Tests", "TestData", "Cards", "Snapshots", name + ".json");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, actual);
            return;
        }
        var path = TestData("Snapshots", name + ".json");
        Assert.True(File.Exists(path), $"Snapshot {name}.json is missing; run the tests with {UpdateVariable}=1 and review it.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    [Fact]
    public void Every_snapshot_file_belongs_to_a_case()
    {
        var files = Directory.GetFiles(TestData("Snapshots"), "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order();
        Assert.Equal(Snapshots().Keys.Order(), files);
    }
}
