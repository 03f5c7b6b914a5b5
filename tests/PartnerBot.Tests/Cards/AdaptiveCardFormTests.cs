using System.Text.Json.Nodes;
using PartnerBot.Cards;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.Forms;
using static PartnerBot.Tests.Cards.CardTestSupport;

namespace PartnerBot.Tests.Cards;

public class AdaptiveCardFormTests
{
    private static readonly Dictionary<string, string?> NoValues = new();
    private static readonly Dictionary<string, string> NoErrors = new();
    private static UiForm Form() => ProvisioningFormBuilder.Build(SampleModules.Wordpress(), ProvisioningFormMode.Create);

    private static IEnumerable<JsonObject> Inputs(JsonObject card) => Descendants(card["body"]!.AsArray())
        .Where(n => ((string?)n["type"])?.StartsWith("Input.") == true);

    internal static IEnumerable<JsonObject> Descendants(JsonArray array)
    {
        foreach (var node in array.OfType<JsonObject>())
        {
            yield return node;
            foreach (var key in new[] { "items", "columns" })
                if (node[key] is JsonArray children)
                    foreach (var child in Descendants(children)) yield return child;
        }
    }

    [Theory]
    [InlineData(CardHost.Teams)]
    [InlineData(CardHost.WebChat)]
    public void Every_step_is_a_valid_card_within_28_KB(CardHost host)
    {
        var form = Form();
        for (var i = 0; i < form.Steps.Count; i++)
        {
            var card = AdaptiveCardRenderer.RenderFormStep(form, i, NoValues, NoErrors, host);
            AssertValidCard(card);
            Assert.True(CardJson.Utf8Size(card) <= AdaptiveCardRenderer.MaxCardBytes);
        }
    }

    [Fact]
    public void Inputs_carry_ids_labels_values_and_validation_attributes()
    {
        var card = AdaptiveCardRenderer.RenderFormStep(Form(), 1, NoValues, NoErrors, CardHost.Teams);
        var inputs = Inputs(card).ToDictionary(n => (string)n["id"]!);
        Assert.Equal("Input.Toggle", (string?)inputs["create_postgres"]["type"]);
        Assert.Equal("false", (string?)inputs["create_postgres"]["value"]);
        Assert.Null(inputs["create_postgres"]["isRequired"]);
        var length = inputs["database_password_length"];
        Assert.Equal(("Input.Number", 8d, 64d, 16m), ((string?)length["type"], (double)length["min"]!, (double)length["max"]!, (decimal)length["value"]!));
        Assert.Equal("Between 8 and 64.", (string?)length["errorMessage"]);
        Assert.Equal("Input.ChoiceSet", (string?)inputs["ingress_settings"]["type"]);
        Assert.Equal(3, inputs["ingress_settings"]["choices"]!.AsArray().Count);
        var secret = inputs["admin_password"];
        Assert.Equal(("password", true), ((string?)secret["style"], (bool)secret["isRequired"]!));

        var first = AdaptiveCardRenderer.RenderFormStep(Form(), 0, NoValues, NoErrors, CardHost.Teams);
        var project = Inputs(first).Single(n => (string?)n["id"] == "existing_project_id");
        Assert.Equal(("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", true), ((string?)project["regex"], (bool)project["isRequired"]!));
        Assert.Equal("Existing project ID", (string?)project["label"]);
    }

    [Fact]
    public void Actions_are_next_back_cancel_with_form_data_and_cancel_sends_no_inputs()
    {
        var form = Form();
        var middle = AdaptiveCardRenderer.RenderFormStep(form, 1, NoValues, NoErrors, CardHost.Teams)["actions"]!.AsArray();
        Assert.Equal(["form.next", "form.back", "form.cancel"], middle.Select(a => (string?)a!["verb"]));
        Assert.All(middle, a => Assert.Equal(("provision:Wordpress:create", 1), ((string?)a!["data"]!["formId"], (int)a["data"]!["step"]!)));
        Assert.All(middle, a => Assert.Equal((string?)a!["verb"], (string?)a["data"]!["verb"]));
        Assert.Null(middle[1]!["associatedInputs"]);
        Assert.Equal("None", (string?)middle[2]!["associatedInputs"]);

        var firstStep = AdaptiveCardRenderer.RenderFormStep(form, 0, NoValues, NoErrors, CardHost.WebChat)["actions"]!.AsArray();
        Assert.Equal(["form.next", "form.cancel"], firstStep.Select(a => (string?)a!["data"]!["verb"]));
        Assert.All(firstStep, a => Assert.Equal("Action.Submit", (string?)a!["type"]));
        var last = AdaptiveCardRenderer.RenderFormStep(form, form.Steps.Count - 1, NoValues, NoErrors, CardHost.WebChat)["actions"]!.AsArray();
        Assert.Equal("form.submit", (string?)last[0]!["data"]!["verb"]);
    }

    [Fact]
    public void Current_values_and_server_errors_are_shown_and_secrets_are_never_echoed()
    {
        var values = new Dictionary<string, string?> { ["ingress_settings"] = "internal", ["admin_password"] = "s3cret!" };
        var errors = new Dictionary<string, string> { ["database_password_length"] = "Between 8 and 64." };
        var card = AdaptiveCardRenderer.RenderFormStep(Form(), 1, values, errors, CardHost.Teams);
        AssertValidCard(card);
        var json = CardJson.ToJson(card);
        Assert.DoesNotContain("s3cret", json);
        var inputs = Inputs(card).ToDictionary(n => (string)n["id"]!);
        Assert.Equal("internal", (string?)inputs["ingress_settings"]["value"]);
        Assert.Null(inputs["admin_password"]["isRequired"]);
        Assert.Contains("⚠ Between 8 and 64.", json);
        Assert.Contains("Please fix the field marked below.", json);
    }

    [Fact]
    public void Update_form_shows_read_only_variables_as_facts()
    {
        var form = ProvisioningFormBuilder.Build(SampleModules.Wordpress(), ProvisioningFormMode.Update,
            new Dictionary<string, JsonNode?> { ["existing_project_id"] = "my-project-1" });
        var card = AdaptiveCardRenderer.RenderFormStep(form, 0, NoValues, NoErrors, CardHost.Teams);
        AssertValidCard(card);
        var ids = Inputs(card).Select(n => (string?)n["id"]).ToList();
        Assert.Equal(["availability_regions"], ids);
        var facts = Descendants(card["body"]!.AsArray()).Where(n => (string?)n["type"] == "FactSet").SelectMany(n => n["facts"]!.AsArray()).ToList();
        Assert.Contains(facts, f => (string?)f!["title"] == "Existing project ID" && (string?)f["value"] == "my-project-1");
    }

    [Fact]
    public void Submitted_value_object_reads_back_into_step_values()
    {
        var form = Form();
        var submitted = JsonNode.Parse("""
            { "verb": "form.next", "formId": "provision:Wordpress:create", "step": 1,
              "create_postgres": "true", "database_password_length": "24", "ingress_settings": "internal",
              "database_availability_type": "REGIONAL", "admin_password": "pw", "unrelated": "x" }
            """)!.AsObject();
        var action = AdaptiveCardForms.ReadAction(submitted);
        Assert.Equal(new FormActionRef("form.next", "provision:Wordpress:create", 1), action);
        var values = AdaptiveCardForms.ReadValues(submitted, form.Steps[action!.Step]);
        Assert.Equal("true", values["create_postgres"]);
        Assert.Equal("24", values["database_password_length"]);
        Assert.False(values.ContainsKey("unrelated"));
        Assert.Empty(FormValues.Validate(form.Steps[1], values));
    }

    [Fact]
    public void Inputs_named_like_action_data_keys_do_not_collide_with_it()
    {
        var step = new UiFormStep("s", "S", [new UiInput("step", UiInputKind.Number, "Step", Format: UiValueFormat.Number), new UiInput("verb", UiInputKind.Text, "Verb")]);
        var form = new UiForm("f", "F", [step]);
        var card = AdaptiveCardRenderer.RenderFormStep(form, 0, NoValues, NoErrors, CardHost.Teams);
        Assert.Equal(["input:step", "input:verb"], Inputs(card).Select(n => (string?)n["id"]));
        var submitted = new JsonObject { ["verb"] = "form.submit", ["formId"] = "f", ["step"] = 0, ["input:step"] = "5", ["input:verb"] = "hello" };
        Assert.Equal(new FormActionRef("form.submit", "f", 0), AdaptiveCardForms.ReadAction(submitted));
        var values = AdaptiveCardForms.ReadValues(submitted, step);
        Assert.Equal(("5", "hello"), (values["step"], values["verb"]));
    }

    [Fact]
    public void Multi_choice_input_is_multi_select_and_reads_back_comma_joined()
    {
        var step = new UiFormStep("s", "S", [new UiInput("regions", UiInputKind.MultiChoice, "Regions",
            Options: [new UiChoice("US", "us"), new UiChoice("EU", "eu")], DefaultValue: "us,eu", Format: UiValueFormat.CommaList)]);
        var form = new UiForm("f", "F", [step]);
        var card = AdaptiveCardRenderer.RenderFormStep(form, 0, NoValues, NoErrors, CardHost.WebChat);
        AssertValidCard(card);
        var input = Inputs(card).Single();
        Assert.Equal((true, "us,eu"), ((bool)input["isMultiSelect"]!, (string?)input["value"]));
        var values = AdaptiveCardForms.ReadValues(new JsonObject { ["regions"] = "eu" }, step);
        Assert.Equal("[\"eu\"]", FormValues.ToJsonValues(form, values).Values["regions"]!.ToJsonString());
    }
}
