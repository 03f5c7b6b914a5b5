using System.Text.Json.Nodes;
using PartnerBot.Cards;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.Model;
using static PartnerBot.Tests.Cards.CardTestSupport;

namespace PartnerBot.Tests.Cards;

public class AdaptiveCardRendererTests
{
    [Theory]
    [InlineData("InputForm.json")]
    [InlineData("Action.Execute.Mode.json")]
    public void Official_samples_validate_against_the_1_5_schema(string file)
    {
        var card = JsonNode.Parse(File.ReadAllText(TestData(file)))!.AsObject();
        AssertValidCard(card);
    }

    [Fact]
    public void Validator_rejects_a_broken_card()
    {
        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard", ["version"] = "1.5",
            ["body"] = new JsonArray(new JsonObject { ["type"] = "TextBlock", ["txet"] = "typo" }),
            ["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.Execute", ["verb"] = 3 }),
        };
        Assert.NotEmpty(SchemaErrors(card));
    }

    private static UiMessage Simple() => new(
        "Deployment finished",
        [
            new UiHeading("Deployment finished"),
            new UiText("Your module **Wordpress** is ready.", UiTextTone.Good),
            new UiFactSet([new UiFact("Module", "Wordpress"), new UiFact("Cost", "25 credits")]),
            new UiBadge("25 credits", UiTextTone.Warning),
        ],
        [
            new UiAction("Show", "deployment.show", new JsonObject { ["deploymentId"] = "d-1" }, UiActionStyle.Primary),
            UiAction.Link("Open site", "https://example.org/site"),
        ]);

    [Theory]
    [InlineData(CardHost.Teams)]
    [InlineData(CardHost.WebChat)]
    public void Simple_message_renders_a_valid_1_5_card_with_full_width(CardHost host)
    {
        var card = AdaptiveCardRenderer.Render(Simple(), host);
        AssertValidCard(card);
        Assert.Equal("1.5", (string?)card["version"]);
        Assert.Equal("Full", (string?)card["msteams"]!["width"]);
        Assert.Equal("application/vnd.microsoft.card.adaptive", AdaptiveCardRenderer.ContentType);
        Assert.Equal("Deployment finished", (string?)card["fallbackText"]);
        var body = card["body"]!.AsArray();
        Assert.Equal("heading", (string?)body[0]!["style"]);
        Assert.Equal("Good", (string?)body[1]!["color"]);
        Assert.Equal("Module", (string?)body[2]!["facts"]![0]!["title"]);
    }

    [Fact]
    public void Teams_buttons_are_Action_Execute_with_the_verb_also_inside_data()
    {
        var actions = AdaptiveCardRenderer.Render(Simple(), CardHost.Teams)["actions"]!.AsArray();
        Assert.Equal("Action.Execute", (string?)actions[0]!["type"]);
        Assert.Equal("deployment.show", (string?)actions[0]!["verb"]);
        Assert.Equal("deployment.show", (string?)actions[0]!["data"]!["verb"]);
        Assert.Equal("d-1", (string?)actions[0]!["data"]!["deploymentId"]);
        Assert.Equal("positive", (string?)actions[0]!["style"]);
        Assert.Equal("Action.OpenUrl", (string?)actions[1]!["type"]);
        Assert.Equal("https://example.org/site", (string?)actions[1]!["url"]);
    }

    [Fact]
    public void WebChat_buttons_are_Action_Submit_carrying_the_verb_in_data()
    {
        var action = AdaptiveCardRenderer.Render(Simple(), CardHost.WebChat)["actions"]![0]!;
        Assert.Equal("Action.Submit", (string?)action["type"]);
        Assert.Null(action["verb"]);
        Assert.Equal("deployment.show", (string?)action["data"]!["verb"]);
    }

    [Theory]
    [InlineData(CardHost.Teams)]
    [InlineData(CardHost.WebChat)]
    public void An_owned_message_names_its_owner_in_every_bot_button_and_leaves_the_data_alone(CardHost host)
    {
        var data = new JsonObject { ["id"] = "d-1" };
        var message = new UiMessage("Pick", [new UiActionRow([new UiAction("Row", "deployment.show", data)])],
            [new UiAction("A", "deployment.list"), UiAction.Link("Docs", "https://example.com/docs")]);

        var card = AdaptiveCardRenderer.Render(new UiActionOwner("msteams:29:1", "Grace").Stamp(message), host);

        var actions = card.ToJsonString();
        Assert.Contains("""{"id":"d-1","owner":{"key":"msteams:29:1","name":"Grace"},"verb":"deployment.show"}""", actions);
        Assert.Contains("""{"owner":{"key":"msteams:29:1","name":"Grace"},"verb":"deployment.list"}""", actions);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(actions, "\"url\":\"https://example.com/docs\""));
        Assert.DoesNotContain("Grace", actions[actions.IndexOf("example.com/docs", StringComparison.Ordinal)..]);
        Assert.False(data.ContainsKey("owner"));
    }

    [Fact]
    public void Rendering_does_not_mutate_the_callers_data()
    {
        var data = new JsonObject { ["module"] = "x" };
        AdaptiveCardRenderer.Render(new UiMessage("s", [], [new UiAction("Pick", "deploy.pick", data)]), CardHost.Teams);
        Assert.False(data.ContainsKey("verb"));
    }

    [Fact]
    public void Main_menu_has_every_area_with_its_verb_and_no_button_is_dropped()
    {
        foreach (var host in new[] { CardHost.Teams, CardHost.WebChat })
        {
            var card = AdaptiveCardRenderer.Render(MainMenuCard.Build(MenuItems), host);
            AssertValidCard(card);
            var verbs = card["body"]!.AsArray().Where(n => (string?)n!["type"] == "ActionSet")
                .SelectMany(n => n!["actions"]!.AsArray()).Select(a => (string?)a!["data"]!["verb"]).ToList();
            Assert.Equal(["deploy", "deployments", "publish", "github", "billing", "guides", "support", "theme"], verbs);
        }
    }

    [Fact]
    public void Many_message_actions_become_rows_instead_of_being_cut()
    {
        var actions = Enumerable.Range(1, 12).Select(i => new UiAction($"B{i}", $"v{i}")).ToList();
        var card = AdaptiveCardRenderer.Render(new UiMessage("many", [], actions), CardHost.Teams);
        AssertValidCard(card);
        Assert.Null(card["actions"]);
        var rows = card["body"]!.AsArray();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.True(r!["actions"]!.AsArray().Count <= AdaptiveCardRenderer.MaxActionsPerRow));
        Assert.Equal(12, rows.Sum(r => r!["actions"]!.AsArray().Count));
    }

    [Fact]
    public void Non_https_image_in_Teams_falls_back_to_its_alt_text()
    {
        var message = new UiMessage("img", [new UiImage("http://example.org/a.png", "A diagram")], []);
        var teams = AdaptiveCardRenderer.Render(message, CardHost.Teams);
        Assert.Equal("TextBlock", (string?)teams["body"]![0]!["type"]);
        var web = AdaptiveCardRenderer.Render(message, CardHost.WebChat);
        Assert.Equal("Image", (string?)web["body"]![0]!["type"]);
        AssertValidCard(teams);
        AssertValidCard(web);
    }

    [Fact]
    public void Attachment_wraps_the_card_with_its_content_type()
    {
        var attachment = AdaptiveCardRenderer.RenderAttachment(UiMessage.Text("hi"), CardHost.WebChat);
        Assert.Equal(AdaptiveCardRenderer.ContentType, (string?)attachment["contentType"]);
        Assert.Equal("AdaptiveCard", (string?)attachment["content"]!["type"]);
        Assert.True(CardJson.Utf8Size(attachment) < 1000);
    }
}
