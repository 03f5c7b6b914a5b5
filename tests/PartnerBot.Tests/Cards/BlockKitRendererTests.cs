using System.Text.Json.Nodes;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;

namespace PartnerBot.Tests.Cards;

public class BlockKitRendererTests
{
    private static readonly Dictionary<string, string?> NoValues = new();
    private static readonly Dictionary<string, string> NoErrors = new();
    private static UiForm Form() => ProvisioningFormBuilder.Build(SampleModules.Wordpress(), ProvisioningFormMode.Create);

    internal static void AssertWithinLimits(IReadOnlyList<string> problems) =>
        Assert.True(problems.Count == 0, "Block Kit limits:\n" + string.Join("\n", problems));

    [Fact]
    public void The_notification_text_is_slack_mrkdwn_with_its_control_characters_made_harmless()
    {
        var message = new UiMessage("I can't find a module called **Tom & Jerry <x>** that you can deploy.", [new UiText("Body")], []);
        var slack = BlockKitRenderer.RenderMessage(message);
        Assert.Equal("I can't find a module called *Tom &amp; Jerry ‹x›* that you can deploy.", slack.Text);
    }

    [Fact]
    public void Simple_message_maps_to_header_section_fields_and_buttons()
    {
        var message = new UiMessage("Ready", [
            new UiHeading("Deployment finished"),
            new UiText("Your module **Wordpress** is [ready](https://example.org/a?b=1&c=2)."),
            new UiFactSet([new UiFact("Module", "my_app_1")]),
        ], [new UiAction("Show", "deployment.show", new JsonObject { ["deploymentId"] = "d-1" }, UiActionStyle.Primary), UiAction.Link("Docs", "https://example.org/docs")]);
        var slack = BlockKitRenderer.RenderMessage(message);
        AssertWithinLimits(BlockKitLimits.CheckMessage(slack.Blocks));
        Assert.Equal("Ready", slack.Text);
        Assert.Equal("header", (string?)slack.Blocks[0]!["type"]);
        Assert.Equal("Your module *Wordpress* is <https://example.org/a?b=1&amp;c=2|ready>.", (string?)slack.Blocks[1]!["text"]!["text"]);
        Assert.Equal("*Module*\nmy_\u200Bapp_\u200B1", (string?)slack.Blocks[2]!["fields"]![0]!["text"]);
        var buttons = slack.Blocks[3]!["elements"]!.AsArray();
        Assert.Equal(("deployment.show", "primary"), ((string?)buttons[0]!["action_id"], (string?)buttons[0]!["style"]));
        var data = BlockKitActions.Data((string?)buttons[0]!["value"]);
        Assert.Equal(("d-1", "deployment.show"), ((string?)data["deploymentId"], (string?)data["verb"]));
        Assert.Equal("https://example.org/docs", (string?)buttons[1]!["url"]);
    }

    [Fact]
    public void Repeated_verbs_get_unique_action_ids_that_read_back_to_the_verb()
    {
        var picks = Enumerable.Range(1, 3).Select(i => new UiAction($"Pick {i}", "deploy.pick", new JsonObject { ["module"] = $"m{i}" })).ToList();
        var slack = BlockKitRenderer.RenderMessage(new UiMessage("pick", [new UiActionRow(picks)], []));
        var ids = slack.Blocks[0]!["elements"]!.AsArray().Select(b => (string)b!["action_id"]!).ToList();
        Assert.Equal(["deploy.pick", "deploy.pick:2", "deploy.pick:3"], ids);
        Assert.All(ids, id => Assert.Equal("deploy.pick", BlockKitActions.Verb(id)));
        AssertWithinLimits(BlockKitLimits.CheckMessage(slack.Blocks));
    }

    [Fact]
    public void Long_messages_are_split_into_several_messages_not_cut()
    {
        var body = Enumerable.Range(1, 70).Select(i => (UiElement)new UiText($"Line {i}")).ToList();
        var messages = BlockKitRenderer.RenderMessages(new UiMessage("Long", body, []));
        Assert.Equal(2, messages.Count);
        Assert.Equal(70, messages.Sum(m => m.Blocks.Count));
        Assert.All(messages, m => AssertWithinLimits(BlockKitLimits.CheckMessage(m.Blocks)));
        Assert.Equal("Long (2/2)", messages[1].Text);
        Assert.Throws<InvalidOperationException>(() => BlockKitRenderer.RenderMessage(new UiMessage("Long", body, [])));
    }

    [Fact]
    public void Each_message_carries_its_blocks_as_compact_json()
    {
        var body = Enumerable.Range(1, 70).Select(i => (UiElement)new UiText($"Line {i} & <b> «Grüße»")).ToList();
        var messages = BlockKitRenderer.RenderMessages(new UiMessage("Long", body, [new UiAction("Go", "deploy.start")]));

        Assert.Equal([50, 21], messages.Select(m => m.Blocks.Count));
        foreach (var message in messages)
        {
            var json = System.Text.Encoding.UTF8.GetString(message.BlocksJson.Span);
            // What is sent is the tree written compactly, non-ASCII text kept as it is.
            Assert.Equal(PartnerBot.Cards.CardJson.ToJson(message.Blocks), json);
            Assert.Contains("«Grüße»", json);
        }
        Assert.Equal("Line 51 &amp; ‹b› «Grüße»", (string?)messages[1].Blocks[0]!["text"]!["text"]);
        Assert.Equal("actions", (string?)messages[1].Blocks[20]!["type"]);
    }

    [Fact]
    public void A_button_value_sets_the_verb_in_the_place_the_data_names_it_and_leaves_the_data_alone()
    {
        var named = new JsonObject { ["verb"] = "old", ["id"] = "d-1", ["nested"] = new JsonObject { ["n"] = 1 } };
        var unnamed = new JsonObject { ["id"] = "d-2", ["list"] = new JsonArray(1, null, "x") };
        var slack = BlockKitRenderer.RenderMessage(new UiMessage("Pick", [], [new UiAction("A", "deployment.show", named), new UiAction("B", "deployment.show", unnamed)]));

        var buttons = slack.Blocks[0]!["elements"]!.AsArray();
        Assert.Equal("""{"verb":"deployment.show","id":"d-1","nested":{"n":1}}""", (string?)buttons[0]!["value"]);
        Assert.Equal("""{"id":"d-2","list":[1,null,"x"],"verb":"deployment.show"}""", (string?)buttons[1]!["value"]);
        Assert.Equal("old", (string?)named["verb"]);
        Assert.False(unnamed.ContainsKey("verb"));
    }

    [Fact]
    public void An_owned_message_names_its_owner_in_every_bot_button_without_copying_the_data()
    {
        var data = new JsonObject { ["id"] = "d-1" };
        var replaced = new JsonObject { ["owner"] = "stale", ["verb"] = "x" };
        var message = new UiMessage("Pick", [new UiActionRow([new UiAction("Row", "deployment.show", data)])],
            [new UiAction("A", "deployment.show", replaced), UiAction.Link("Docs", "https://example.com/docs")]);

        var owned = new UiActionOwner("slack:T1:U1", "Ada").Stamp(message);
        var slack = BlockKitRenderer.RenderMessage(owned);

        var buttons = slack.Blocks.SelectMany(b => b!["elements"]?.AsArray() ?? []).ToList();
        Assert.Equal("""{"id":"d-1","owner":{"key":"slack:T1:U1","name":"Ada"},"verb":"deployment.show"}""", (string?)buttons[0]!["value"]);
        Assert.Equal("""{"owner":{"key":"slack:T1:U1","name":"Ada"},"verb":"deployment.show"}""", (string?)buttons[1]!["value"]);
        Assert.Null(buttons[2]!["value"]);
        Assert.Same(data, ((UiActionRow)owned.Body[0]).Actions[0].Data);
        Assert.False(data.ContainsKey("owner"));
        Assert.Equal("stale", (string?)replaced["owner"]);
    }

    [Fact]
    public void Oversized_button_data_is_refused_with_a_clear_message()
    {
        var data = new JsonObject { ["blob"] = new string('x', 2500) };
        var error = Assert.Throws<ArgumentException>(() => BlockKitRenderer.RenderMessage(new UiMessage("x", [], [new UiAction("Go", "go", data)])));
        Assert.Contains("2000", error.Message);
    }

    [Fact]
    public void Modal_steps_meet_every_limit_and_map_blocks_to_variable_names()
    {
        var form = Form();
        for (var i = 0; i < form.Steps.Count; i++)
        {
            var view = BlockKitRenderer.RenderModal(form, i, NoValues, NoErrors);
            AssertWithinLimits(BlockKitLimits.CheckView(view));
            var inputIds = view["blocks"]!.AsArray().Where(b => (string?)b!["type"] == "input").Select(b => (string?)b!["block_id"]).ToList();
            Assert.Equal(form.Steps[i].Inputs.Where(x => !x.ReadOnly).Select(x => x.Id), inputIds);
            Assert.Equal(new SlackFormPosition(form.FormId, i), BlockKitForms.ReadMetadata((string?)view["private_metadata"]));
            Assert.Equal(i == form.Steps.Count - 1 ? "Submit" : "Next", (string?)view["submit"]!["text"]);
        }
        var title = (string?)BlockKitRenderer.RenderModal(form, 0, NoValues, NoErrors)["title"]!["text"];
        Assert.Equal("Deploy Wordpress", title);
    }

    [Fact]
    public void Required_inputs_are_not_optional_and_toggles_always_are()
    {
        var view = BlockKitRenderer.RenderModal(Form(), 1, NoValues, NoErrors);
        var blocks = view["blocks"]!.AsArray().Where(b => (string?)b!["type"] == "input").ToDictionary(b => (string)b!["block_id"]!);
        Assert.False((bool)blocks["admin_password"]!["optional"]!);
        Assert.True((bool)blocks["create_postgres"]!["optional"]!);
        Assert.Equal("number_input", (string?)blocks["database_password_length"]!["element"]!["type"]);
        Assert.Equal("8", (string?)blocks["database_password_length"]!["element"]!["min_value"]);
        Assert.Equal("static_select", (string?)blocks["ingress_settings"]!["element"]!["type"]);
        Assert.Equal("all", (string?)blocks["ingress_settings"]!["element"]!["initial_option"]!["value"]);
    }

    [Fact]
    public void View_state_values_read_back_per_variable()
    {
        var state = JsonNode.Parse("""
            {
              "existing_project_id": { "existing_project_id": { "type": "plain_text_input", "value": "my-project-1" } },
              "create_postgres": { "create_postgres": { "type": "checkboxes", "selected_options": [] } },
              "database_password_length": { "database_password_length": { "type": "number_input", "value": "24" } },
              "ingress_settings": { "ingress_settings": { "type": "static_select", "selected_option": { "value": "internal" } } },
              "regions": { "regions": { "type": "multi_static_select", "selected_options": [ { "value": "us" }, { "value": "eu" } ] } },
              "maintenance_date": { "maintenance_date": { "type": "datepicker", "selected_date": "2026-12-01" } },
              "site_title": { "site_title": { "type": "plain_text_input", "value": null } }
            }
            """)!.AsObject();
        var values = BlockKitForms.ReadValues(state);
        Assert.Equal("my-project-1", values["existing_project_id"]);
        Assert.Equal("false", values["create_postgres"]);
        Assert.Equal("24", values["database_password_length"]);
        Assert.Equal("internal", values["ingress_settings"]);
        Assert.Equal("us,eu", values["regions"]);
        Assert.Equal("2026-12-01", values["maintenance_date"]);
        Assert.Null(values["site_title"]);
    }

    [Fact]
    public void Errors_are_keyed_by_block_id_and_shown_on_update()
    {
        var errors = new Dictionary<string, string> { ["database_password_length"] = "Between 8 and 64." };
        var response = BlockKitForms.ErrorsResponse(errors);
        Assert.Equal("errors", (string?)response["response_action"]);
        Assert.Equal("Between 8 and 64.", (string?)response["errors"]!["database_password_length"]);
        var view = BlockKitRenderer.RenderModal(Form(), 1, NoValues, errors);
        AssertWithinLimits(BlockKitLimits.CheckView(view));
        Assert.Contains("Between 8 and 64.", view.ToJsonString());
    }

    [Fact]
    public void Selects_with_many_or_long_options_stay_within_limits_and_read_back()
    {
        var options = Enumerable.Range(0, 250).Select(i => new UiChoice($"Option {i}", i == 7 ? new string('v', 120) : $"v{i}")).ToList();
        var step = new UiFormStep("s", "S", [new UiInput("pick", UiInputKind.Choice, "Pick", Options: options, DefaultValue: "v3")]);
        var form = new UiForm("f", "A very long form title that Slack would refuse", [step]);
        var view = BlockKitRenderer.RenderModal(form, 0, NoValues, NoErrors);
        AssertWithinLimits(BlockKitLimits.CheckView(view));
        Assert.Equal(3, view["blocks"]![1]!["element"]!["option_groups"]!.AsArray().Count);
        Assert.True(((string?)view["title"]!["text"])!.Length <= 24);
        var state = new JsonObject { ["pick"] = new JsonObject { ["pick"] = new JsonObject { ["type"] = "static_select", ["selected_option"] = new JsonObject { ["value"] = "#opt:7" } } } };
        Assert.Equal(new string('v', 120), BlockKitForms.ReadValues(state, step)["pick"]);
        // The channel-neutral reader decodes it too, so a dialog that maps Slack state to a value object works.
        var raw = BlockKitForms.ReadValues(state);
        Assert.Equal("#opt:7", raw["pick"]);
        Assert.Equal(new string('v', 120), PartnerBot.Cards.AdaptiveCards.AdaptiveCardForms.ReadValues(new JsonObject { ["pick"] = raw["pick"] }, step)["pick"]);
    }

    [Fact]
    public void Limits_checker_reports_violations()
    {
        var view = new JsonObject
        {
            ["type"] = "modal",
            ["title"] = new JsonObject { ["type"] = "plain_text", ["text"] = new string('t', 30) },
            ["private_metadata"] = new string('m', 3001),
            ["blocks"] = new JsonArray(
                new JsonObject { ["type"] = "input", ["block_id"] = "a", ["label"] = new JsonObject { ["type"] = "plain_text", ["text"] = "A" },
                    ["element"] = new JsonObject { ["type"] = "static_select", ["action_id"] = "a",
                        ["options"] = new JsonArray(Enumerable.Range(0, 101).Select(i => (JsonNode?)new JsonObject { ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "o" }, ["value"] = $"{i}" }).ToArray()) } },
                new JsonObject { ["type"] = "section", ["block_id"] = "a", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = new string('x', 3001) } }),
        };
        var problems = BlockKitLimits.CheckView(view);
        Assert.Contains(problems, p => p.StartsWith("title.text"));
        Assert.Contains(problems, p => p.StartsWith("private_metadata"));
        Assert.Contains(problems, p => p.StartsWith("submit"));
        Assert.Contains(problems, p => p.Contains("options: 101"));
        Assert.Contains(problems, p => p.Contains("not unique"));
        Assert.Contains(problems, p => p.StartsWith("blocks[1].text.text"));
    }
}
