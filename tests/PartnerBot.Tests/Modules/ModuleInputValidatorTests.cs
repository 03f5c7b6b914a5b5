using System.Text.Json.Nodes;
using PartnerBot.Api.Modules;

namespace PartnerBot.Tests.Modules;

public sealed class ModuleInputValidatorTests
{
    private static TerraformModule Load(string file) =>
        ModuleLoader.LoadFiles("m", new Dictionary<string, string> { ["variables.tf"] = File.ReadAllText(Path.Combine(ModuleTestPaths.OwnCorpus, file)) }).Module!;

    private static TerraformModule Inline(string source) =>
        ModuleLoader.LoadFiles("m", new Dictionary<string, string> { ["variables.tf"] = source }).Module!;

    [Fact]
    public void A_good_submission_converts_values_and_applies_defaults()
    {
        var report = ModuleInputValidator.Validate(Load("01_platform_module.tf"), new Dictionary<string, string?>
        {
            ["project_id"] = "my-project-01",
            ["instance_count"] = " 3 ",
            ["db_password"] = "s3cret",
        });
        Assert.True(report.IsValid, string.Join("; ", report.Errors));
        Assert.Empty(report.Deferred);
        Assert.Equal(3, report.Values["instance_count"]!.GetValue<decimal>());
        Assert.Equal("us-central1", (string)report.Values["region"]!);
        Assert.DoesNotContain("credit_cost", report.Values.Keys);
    }

    [Fact]
    public void Failed_conditions_return_the_variable_and_its_error_message()
    {
        var report = ModuleInputValidator.Validate(Load("01_platform_module.tf"), new Dictionary<string, string?>
        {
            ["project_id"] = "Bad_Project",
            ["region"] = "mars-north1",
            ["instance_count"] = "2.5",
            ["db_password"] = "x",
        });
        Assert.Contains(report.Errors, e => e is { Variable: "project_id" } && e.Message.StartsWith("Project ID must be 6-30 characters", StringComparison.Ordinal));
        Assert.Contains(report.Errors, e => e is { Variable: "region", Message: "Choose one of the supported regions." });
        Assert.Contains(report.Errors, e => e is { Variable: "instance_count", Message: "Whole numbers only." });
        Assert.Equal(3, report.Errors.Count);
    }

    [Fact]
    public void Conversion_required_and_unknown_inputs_are_errors()
    {
        var report = ModuleInputValidator.Validate(Load("01_platform_module.tf"), new Dictionary<string, string?>
        {
            ["instance_count"] = "many",
            ["credit_cost"] = "0",
            ["no_such_input"] = "x",
        });
        Assert.Contains(report.Errors, e => e is { Variable: "instance_count" } && e.Message.Contains("not a number", StringComparison.Ordinal));
        Assert.Contains(report.Errors, e => e is { Variable: "project_id", Message: "A value is required." });
        Assert.Contains(report.Errors, e => e is { Variable: "credit_cost" } && e.Message.Contains("set by the module", StringComparison.Ordinal));
        Assert.Contains(report.Errors, e => e is { Variable: "no_such_input" });
        // db_password has default = null but nullable = false.
        Assert.Contains(report.Errors, e => e is { Variable: "db_password" } && e.Message.Contains("cannot be null", StringComparison.Ordinal));
    }

    [Fact]
    public void Error_messages_render_interpolations_with_the_submitted_value()
    {
        var report = ModuleInputValidator.Validate(Load("05_validations.tf"), new Dictionary<string, string?> { ["port"] = "70000" });
        Assert.Contains(report.Errors, e => e is { Variable: "port", Message: "Port 70000 is out of range." });
    }

    [Fact]
    public void Lists_from_form_text_and_for_expressions_in_conditions()
    {
        var module = Load("05_validations.tf");
        var good = ModuleInputValidator.Validate(module, new Dictionary<string, string?>
        {
            ["trusted_users"] = "a@example.com, b@example.com\nc@example.com",
            ["subnet_cidr_range"] = "[\"10.0.0.0/16\"]",
        });
        Assert.True(good.IsValid, string.Join("; ", good.Errors));
        Assert.Equal(3, good.Values["trusted_users"]!.AsArray().Count);

        var bad = ModuleInputValidator.Validate(module, new Dictionary<string, string?>
        {
            ["trusted_users"] = "a@example.com,not-an-email,a@example.com",
            ["subnet_cidr_range"] = "10.0.0.0/16,300.1.2",
        });
        Assert.Contains(bad.Errors, e => e is { Variable: "trusted_users", Message: "Every entry must be an email address." });
        Assert.Contains(bad.Errors, e => e is { Variable: "trusted_users", Message: "Duplicate entries are not allowed." });
        Assert.Contains(bad.Errors, e => e is { Variable: "subnet_cidr_range", Message: "Each range must be an IPv4 CIDR block\nsuch as 10.0.0.0/16.\n" });
    }

    [Fact]
    public void Objects_from_json_get_optional_attribute_defaults()
    {
        var report = ModuleInputValidator.Validate(Load("04_objects_and_types.tf"), new Dictionary<string, string?>
        {
            ["network"] = """{"name":"vpc","cidr_ranges":["10.0.0.0/8"],"ignored":1}""",
            ["quoted_object_keys_type"] = """{"quoted":"q","plain":"7"}""",
        });
        Assert.True(report.IsValid, string.Join("; ", report.Errors));
        var network = report.Values["network"]!.AsObject();
        Assert.Equal(1460, network["mtu"]!.GetValue<decimal>());
        // The default object { team = "platform" } is itself converted, so its optional attribute is filled too.
        Assert.Equal("shared costs", (string)network["labels"]!["cost_center"]!);
        Assert.Equal("platform", (string)network["labels"]!["team"]!);
        Assert.False(network.ContainsKey("ignored"));
        Assert.Equal(7, report.Values["quoted_object_keys_type"]!["plain"]!.GetValue<decimal>());

        var missing = ModuleInputValidator.Validate(Load("04_objects_and_types.tf"), new Dictionary<string, string?>
        {
            ["network"] = """{"cidr_ranges":[]}""",
            ["quoted_object_keys_type"] = "not json",
        });
        Assert.Contains(missing.Errors, e => e is { Variable: "network" } && e.Message.Contains("attribute \"name\" is required", StringComparison.Ordinal));
        Assert.Contains(missing.Errors, e => e is { Variable: "quoted_object_keys_type" } && e.Message.StartsWith("Expected JSON", StringComparison.Ordinal));
    }

    [Fact]
    public void Conditions_that_need_deploy_time_facts_are_deferred_not_passed()
    {
        var module = Inline("""
            variable "bucket" {
              type = string
              validation {
                condition     = can(fileexists("${path.module}/${var.bucket}"))
                error_message = "Unknown bucket."
              }
              validation {
                condition     = length(var.bucket) > 2
                error_message = "Too short."
              }
            }
            """);
        var report = ModuleInputValidator.Validate(module, new Dictionary<string, string?> { ["bucket"] = "ab" });
        var deferred = Assert.Single(report.Deferred);
        Assert.Equal("bucket", deferred.Variable);
        Assert.StartsWith("checked at deploy time", deferred.Reason, StringComparison.Ordinal);
        Assert.Equal("Too short.", Assert.Single(report.Errors).Message);
    }

    [Fact]
    public void Maps_from_key_value_lines_and_bools()
    {
        var module = Inline("""
            variable "labels" {
              type = map(string)
            }
            variable "enabled" {
              type = bool
            }
            """);
        var report = ModuleInputValidator.Validate(module, new Dictionary<string, string?> { ["labels"] = "team = web\nenv=prod", ["enabled"] = "TRUE" });
        Assert.True(report.IsValid, string.Join("; ", report.Errors));
        Assert.Equal("web", (string)report.Values["labels"]!["team"]!);
        Assert.True((bool)report.Values["enabled"]!);
        var bad = ModuleInputValidator.Validate(module, new Dictionary<string, string?> { ["labels"] = "novalue", ["enabled"] = "maybe" });
        Assert.Equal(2, bad.Errors.Count);
    }
}

public sealed class OptionalHeredocDefaultTests
{
    [Fact]
    public void Optional_attribute_defaults_written_as_heredocs_are_applied()
    {
        var source = File.ReadAllText(Path.Combine(ModuleTestPaths.OwnCorpus, "10_helper_submodule.tf"));
        var module = ModuleLoader.LoadFiles("m", new Dictionary<string, string> { ["variables.tf"] = source }).Module!;
        var report = ModuleInputValidator.Validate(module, new Dictionary<string, string?>
        {
            ["project_id"] = "p",
            ["application_config"] = """{"name":"web"}""",
        });
        Assert.True(report.IsValid, string.Join("; ", report.Errors));
        Assert.Equal("#!/bin/sh\necho ready\n", (string)report.Values["application_config"]!["init_script"]!);
        Assert.Equal("nginx:latest", (string)report.Values["application_config"]!["container_image"]!);
    }
}
