using System.Text.Json.Nodes;
using PartnerBot.Api.Modules;
using PartnerBot.Cards.Forms;

namespace PartnerBot.Tests.Cards;

public class ProvisioningFormBuilderTests
{
    private static UiForm Create() => ProvisioningFormBuilder.Build(SampleModules.Wordpress(), ProvisioningFormMode.Create);

    [Fact]
    public void Groups_become_steps_in_order_with_advanced_last()
    {
        var form = Create();
        Assert.Equal("provision:Wordpress:create", form.FormId);
        Assert.Equal(["group-2", "group-3", "advanced"], form.Steps.Select(s => s.Id));
        Assert.Equal(["existing_project_id", "tenant_deployment_id", "availability_regions", "site_title"], form.Steps[0].Inputs.Select(i => i.Id));
        Assert.Equal("Database", form.Steps[1].Title);
        Assert.True(form.Steps[2].Optional);
        Assert.False(form.Steps[0].Optional);
    }

    [Fact]
    public void Required_group_0_variables_lead_instead_of_hiding_in_advanced()
    {
        var module = SampleModules.Wordpress();
        module = module with { Variables = [.. module.Variables, SampleModules.Var("deployment_region", "string", "Region. {{UIMeta group=0 order=9 }}", hasDefault: false, group: 0, order: 9)] };
        var form = ProvisioningFormBuilder.Build(module, ProvisioningFormMode.Create);
        Assert.Contains(form.Steps[0].Inputs, i => i.Id == "deployment_region");
        Assert.DoesNotContain(form.Steps[^1].Inputs, i => i.Id == "deployment_region");
        Assert.True(form.Steps[^1].Optional);
    }

    [Fact]
    public void Metadata_variables_are_hidden_and_every_other_variable_appears_exactly_once()
    {
        var module = SampleModules.Wordpress();
        var ids = Create().AllInputs.Select(i => i.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(module.Variables.Where(v => !v.IsMetadata).Select(v => v.Name).Order(), ids.Order());
        Assert.DoesNotContain("credit_cost", ids);
    }

    [Fact]
    public void Input_kinds_follow_types_and_validations()
    {
        var inputs = Create().AllInputs.ToDictionary(i => i.Id);
        Assert.Equal(UiInputKind.Toggle, inputs["create_postgres"].Kind);
        Assert.Equal("false", inputs["create_postgres"].DefaultValue);
        var length = inputs["database_password_length"];
        Assert.Equal((UiInputKind.Number, 8d, 64d, "16"), (length.Kind, length.Min, length.Max, length.DefaultValue));
        Assert.Equal(UiInputKind.Choice, inputs["ingress_settings"].Kind);
        Assert.Equal(["all", "internal", "internal-and-cloud-load-balancing"], inputs["ingress_settings"].Options!.Select(o => o.Value));
        Assert.Equal(["ZONAL", "REGIONAL"], inputs["database_availability_type"].Options!.Select(o => o.Value));
        Assert.Equal((UiInputKind.MultiLine, UiValueFormat.Lines, "us-central1"), (inputs["availability_regions"].Kind, inputs["availability_regions"].Format, inputs["availability_regions"].DefaultValue));
        Assert.Equal((UiInputKind.MultiLine, UiValueFormat.Json, "{\"env\":\"dev\"}"), (inputs["labels"].Kind, inputs["labels"].Format, inputs["labels"].DefaultValue));
        Assert.Equal(UiInputKind.Secret, inputs["admin_password"].Kind);
        Assert.Equal(UiInputKind.Date, inputs["maintenance_date"].Kind);
        var project = inputs["existing_project_id"];
        Assert.True(project.Required);
        Assert.Equal("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", project.Pattern);
        Assert.Equal("Project IDs are 6-30 lowercase letters, digits or hyphens.", project.ErrorText);
        Assert.Equal("Existing project ID", project.Label);
        Assert.Equal("Select an existing project ID.", project.HelpText);
    }

    [Fact]
    public void Update_form_makes_only_updatesafe_variables_editable_and_shows_current_values()
    {
        var current = new Dictionary<string, JsonNode?> { ["existing_project_id"] = "my-project-1", ["database_password_length"] = 20 };
        var form = ProvisioningFormBuilder.Build(SampleModules.Wordpress(), ProvisioningFormMode.Update, current);
        var inputs = form.AllInputs.ToDictionary(i => i.Id);
        Assert.True(inputs["existing_project_id"].ReadOnly);
        Assert.Equal("my-project-1", inputs["existing_project_id"].DefaultValue);
        Assert.False(inputs["database_password_length"].ReadOnly);
        Assert.Equal("20", inputs["database_password_length"].DefaultValue);
        Assert.False(inputs["availability_regions"].ReadOnly);
        Assert.True(inputs["ingress_settings"].ReadOnly);
    }

    [Fact]
    public void Values_map_back_to_typed_variable_values()
    {
        var form = Create();
        var values = new Dictionary<string, string?>
        {
            ["existing_project_id"] = "my-project-1", ["site_title"] = "Hello", ["admin_password"] = "s3cret!",
            ["create_postgres"] = "true", ["database_password_length"] = "24", ["availability_regions"] = "us-east1\n\n europe-west1 ",
            ["labels"] = "{\"team\":\"a\"}", ["ingress_settings"] = "internal", ["trusted_users"] = "",
        };
        var result = FormValues.ToJsonValues(form, values);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.True((bool)result.Values["create_postgres"]!);
        Assert.Equal(24m, (decimal)result.Values["database_password_length"]!);
        Assert.Equal("[\"us-east1\",\"europe-west1\"]", result.Values["availability_regions"]!.ToJsonString());
        Assert.Equal("a", (string?)result.Values["labels"]!["team"]);
        Assert.False(result.Values.ContainsKey("trusted_users"));
    }

    [Fact]
    public void Server_side_validation_reports_each_bad_value_by_variable_name()
    {
        var form = Create();
        var values = new Dictionary<string, string?>
        {
            ["existing_project_id"] = "Bad_Project", ["database_password_length"] = "200", ["labels"] = "{not json",
            ["ingress_settings"] = "everywhere",
        };
        var errors = FormValues.ToJsonValues(form, values).Errors;
        Assert.Equal("Project IDs are 6-30 lowercase letters, digits or hyphens.", errors["existing_project_id"]);
        Assert.Equal("Between 8 and 64.", errors["database_password_length"]);
        Assert.StartsWith("Labels must be valid JSON", errors["labels"]);
        Assert.Contains("not one of the options", errors["ingress_settings"]);
        Assert.Equal("Site title is required.", errors["site_title"]);
        Assert.Equal("Admin password is required.", errors["admin_password"]);
    }

    [Fact]
    public void Big_groups_are_split_into_parts_and_modules_without_uimeta_get_basics_and_advanced()
    {
        var variables = Enumerable.Range(1, 30).Select(i => SampleModules.Var($"setting_{i:00}", "string", null, hasDefault: i % 2 == 0)).ToList();
        var form = ProvisioningFormBuilder.Build(new TerraformModule("Plain", true, [], ModuleMetadata.Empty, variables), ProvisioningFormMode.Create);
        Assert.Equal(["basics-1", "basics-2", "advanced-1", "advanced-2"], form.Steps.Select(s => s.Id));
        Assert.Equal("Basics (1/2)", form.Steps[0].Title);
        Assert.All(form.Steps, s => Assert.True(s.Inputs.Count <= ProvisioningFormBuilder.MaxInputsPerStep));
        Assert.Equal(30, form.AllInputs.Count());
        Assert.All(form.Steps[0].Inputs, i => Assert.True(i.Required));
    }

    [Fact]
    public void Merge_keeps_a_secret_that_comes_back_empty()
    {
        var form = Create();
        var step = form.Steps[1];
        var merged = FormValues.Merge(new Dictionary<string, string?> { ["admin_password"] = "s3cret" }, step,
            new Dictionary<string, string?> { ["admin_password"] = "", ["create_postgres"] = "true" });
        Assert.Equal("s3cret", merged["admin_password"]);
        Assert.Equal("true", merged["create_postgres"]);
    }
}
