using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Modules;
using PartnerBot.Api.Modules.Hcl;
using PartnerBot.Cards.Forms;

namespace PartnerBot.Tests.Modules;

/// <summary>
/// A module's regular expression that backtracks catastrophically on a submitted value: every place that evaluates
/// it gives up after the match timeout and leaves the check to Terraform's plan (undecided), never rejecting the
/// value, throwing or hanging.
/// </summary>
public sealed class UndecidedValidationTests
{
    private const string Catastrophic = "^(a+)+$";
    private static readonly string Attack = new string('a', 40) + "!";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string> Files = new()
    {
        ["variables.tf"] = $$"""
            variable "name" {
              type = string
              validation {
                condition     = can(regex("{{Catastrophic}}", var.name))
                error_message = "Only the letter a."
              }
            }

            variable "label" {
              type    = string
              default = "ok"
              validation {
                condition     = replace(var.label, "/{{Catastrophic}}/", "") != "forbidden"
                error_message = "Not that label."
              }
            }

            variable "tags" {
              type    = string
              default = "x"
              validation {
                condition     = length(regexall("{{Catastrophic}}", var.tags)) < 5
                error_message = "Too many."
              }
            }
            """,
    };

    private static TerraformModule Module() => ModuleLoader.LoadFiles("m", Files).Module!;

    [Fact]
    public async Task The_form_check_defers_a_timed_out_regex_instead_of_rejecting_the_value()
    {
        var report = await Run(() => ModuleInputValidator.Validate(Module(), new Dictionary<string, string?>
        {
            ["name"] = Attack,
            ["label"] = Attack,
            ["tags"] = Attack,
        }));
        Assert.True(report.IsValid, string.Join("; ", report.Errors));
        Assert.Equal(["label", "name", "tags"], report.Deferred.Select(d => d.Variable).Order(StringComparer.Ordinal).ToList());
        Assert.All(report.Deferred, d => Assert.Contains("regular expression took longer than 250 ms", d.Reason));
    }

    [Fact]
    public void The_same_checks_still_decide_values_that_match_quickly()
    {
        var good = ModuleInputValidator.Validate(Module(), new Dictionary<string, string?> { ["name"] = "aaaa", ["label"] = "forbidden", ["tags"] = "aaa" });
        Assert.Empty(good.Deferred);
        Assert.Equal([("label", "Not that label.")], good.Errors.Select(e => (e.Variable, e.Message)).ToList());

        var bad = ModuleInputValidator.Validate(Module(), new Dictionary<string, string?> { ["name"] = "abc" });
        Assert.Equal([("name", "Only the letter a.")], bad.Errors.Select(e => (e.Variable, e.Message)).ToList());
    }

    [Fact]
    public async Task A_deployment_is_not_refused_for_a_check_that_timed_out()
    {
        var module = Module();
        var inputs = new JsonObject { ["name"] = Attack, ["label"] = Attack, ["tags"] = Attack };
        var errors = await Run(() => DeploymentInputs.Validate(module, Files, inputs));
        Assert.Empty(errors);

        // A value that fails quickly is still refused there.
        Assert.Equal("name", Assert.Single(DeploymentInputs.Validate(module, Files, new JsonObject { ["name"] = "abc" })).Input);
    }

    [Theory]
    [InlineData("regex(\"" + Catastrophic + "\", var.x)")]
    [InlineData("can(regex(\"" + Catastrophic + "\", var.x))")]
    [InlineData("try(regex(\"" + Catastrophic + "\", var.x), \"fallback\")")]
    [InlineData("regexall(\"" + Catastrophic + "\", var.x)")]
    [InlineData("replace(var.x, \"/" + Catastrophic + "/\", \"b\")")]
    public async Task Each_regex_function_reports_a_time_out_as_undecided_even_inside_can_and_try(string expression)
    {
        var evaluator = new HclEvaluator(Roots(Attack));
        var undecided = await Run(() => Assert.Throws<HclUndecidedException>(() => evaluator.Evaluate(HclParser.ParseExpression(expression))));
        Assert.Contains("regular expression took longer than", undecided.Message);
    }

    [Fact]
    public void Replace_with_a_quick_regex_still_works_with_group_references()
    {
        var evaluator = new HclEvaluator(Roots("2024-05-17"));
        var result = evaluator.Evaluate(HclParser.ParseExpression("replace(var.x, \"/(\\\\d+)-(\\\\d+)-(\\\\d+)/\", \"$3.$2.$1\")"));
        Assert.Equal(new HclString("17.05.2024"), result);
    }

    [Fact]
    public async Task The_card_form_check_lets_a_timed_out_pattern_through_to_the_server_check()
    {
        var input = ProvisioningFormBuilder.BuildInput(Module().Variables.Single(v => v.Name == "name"), ProvisioningFormMode.Create);
        Assert.Equal(Catastrophic, input.Pattern);
        Assert.Null(await Run(() => FormValues.ValidateOne(input, Attack)));
        // The hint still refuses what it can decide.
        Assert.NotNull(FormValues.ValidateOne(input, "abc"));
        Assert.Null(FormValues.ValidateOne(input, "aaa"));
    }

    private static Dictionary<string, HclValue> Roots(string x) =>
        new(StringComparer.Ordinal) { ["var"] = new HclMap(new Dictionary<string, HclValue> { ["x"] = new HclString(x) }) };

    /// <summary>Runs <paramref name="work"/> off the test thread so a regression hangs this test only, not the run.</summary>
    private static Task<T> Run<T>(Func<T> work) => Task.Run(work).WaitAsync(HangGuard);
}
