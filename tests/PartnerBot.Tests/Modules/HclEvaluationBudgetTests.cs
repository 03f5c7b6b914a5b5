using PartnerBot.Api.Modules;
using PartnerBot.Api.Modules.Hcl;

namespace PartnerBot.Tests.Modules;

/// <summary>
/// <see cref="HclEvaluationBudget"/>: module expressions that would run for minutes or build gigabytes stop at the
/// step, range and text limits and come out undecided (checked by Terraform at plan time); ordinary ones are unaffected.
/// </summary>
public sealed class HclEvaluationBudgetTests
{
    private const string Nested = "[for a in range(1000): [for b in range(1000): a * b]]";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_nested_for_of_a_million_steps_in_a_validation_is_deferred()
    {
        var module = ModuleLoader.LoadFiles("m", new Dictionary<string, string>
        {
            ["variables.tf"] = $$"""
                variable "x" {
                  type = number
                  validation {
                    condition     = length({{Nested}}) > var.x
                    error_message = "Too big."
                  }
                }
                """,
        }).Module!;
        var report = await Run(() => ModuleInputValidator.Validate(module, new Dictionary<string, string?> { ["x"] = "1" }));
        Assert.True(report.IsValid, string.Join("; ", report.Errors));
        var deferred = Assert.Single(report.Deferred);
        Assert.Equal("x", deferred.Variable);
        Assert.Contains("more than 100000 evaluation steps", deferred.Reason);
    }

    [Fact]
    public async Task A_default_that_needs_a_million_steps_is_reported_not_computed()
    {
        var result = await Run(() => ModuleLoader.LoadFiles("m", new Dictionary<string, string>
        {
            ["variables.tf"] = $$"""
                variable "grid" {
                  type    = list(list(number))
                  default = {{Nested}}
                }
                """,
        }));
        var problems = string.Join("\n", result.Module!.Problems);
        Assert.Contains("variable \"grid\": the default must be a constant value (the expression needs more than 100000 evaluation steps)", problems);
    }

    [Theory]
    [InlineData(Nested)]
    [InlineData("can(" + Nested + ")")]
    [InlineData("try(" + Nested + ", [])")]
    [InlineData("{for a in range(1000): tostring(a) => [for b in range(1000): b]}")]
    [InlineData("\"%{for a in range(1000)}%{for b in range(1000)}x%{endfor}%{endfor}\"")]
    [InlineData("flatten([for a in range(1000): [for b in range(100): b]])")]
    [InlineData("length(distinct(flatten([for a in range(300): var.list])))")]
    [InlineData("jsonencode([for a in range(1000): var.list])")]
    [InlineData("[for a in range(1000): [for b in range(1000): b]][*][0]")]
    public async Task Work_over_the_step_budget_is_undecided_even_inside_can_and_try(string expression)
    {
        var undecided = await Run(() => Assert.Throws<HclUndecidedException>(() => Evaluate(expression)));
        Assert.Contains("more than 100000 evaluation steps", undecided.Message);
    }

    [Theory]
    [InlineData("join(\"\", [for a in range(200): var.big])")]
    [InlineData("replace(var.big, \"a\", var.big)")]
    [InlineData("replace(var.big, \"/a/\", var.big)")]
    [InlineData("\"${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}${var.big}\"")]
    [InlineData("indent(1024, join(\"\\n\", [for a in range(1024): \"xxxxxxxx\"]))")]
    [InlineData("format(join(\"\", [for a in range(30): \"%s\"]), [for a in range(30): var.big]...)")]
    public async Task Strings_longer_than_the_budget_are_undecided_before_they_are_built(string expression)
    {
        var undecided = await Run(() => Assert.Throws<HclUndecidedException>(() => Evaluate(expression)));
        Assert.Contains("longer than 1048576 characters", undecided.Message);
    }

    [Fact]
    public void Ordinary_for_expressions_and_functions_evaluate_as_before()
    {
        Assert.Equal("[0,2,4,6,8]", Evaluate("[for a in range(5): a * 2]").ToJson()!.ToJsonString());
        Assert.Equal("{\"a\":\"X\",\"b\":\"Y\"}", Evaluate("{for k, v in var.map: k => upper(v)}").ToJson()!.ToJsonString());
        Assert.Equal("[\"b\",\"c\"]", Evaluate("[for s in [\"a\", \"b\", \"c\"]: s if s != \"a\"]").ToJson()!.ToJsonString());
        Assert.Equal(HclValue.True, Evaluate("alltrue([for s in [\"ab\", \"cd\"]: length(s) <= 3])"));
        Assert.Equal(HclValue.False, Evaluate("alltrue([for s in [\"ab\", \"cdef\"]: length(s) <= 3])"));
        Assert.Equal("1-2-3", ((HclString)Evaluate("join(\"-\", [for a in range(1, 4): tostring(a)])")).Value);
        // Terraform's own range() limit is a definite error, not undecided: can() turns it into false.
        Assert.Equal(HclValue.False, Evaluate("can(range(2000))"));
        Assert.Contains("More than 1024 values", Assert.Throws<HclEvaluationException>(() => Evaluate("[for a in range(10000): [for b in range(10000): a * b]]")).Message);
        Assert.Equal(1024, ((HclList)Evaluate("range(1024)")).Items.Count);
    }

    [Fact]
    public void Set_functions_keep_terraform_equality_and_order()
    {
        Assert.Equal("[1,\"1\",{\"a\":1,\"b\":2},[1,2]]",
            Evaluate("distinct([1, 1.0, \"1\", {a = 1, b = 2}, {b = 2, a = 1}, [1, 2], [1, 2], \"1\"])").ToJson()!.ToJsonString());
        Assert.Equal(10.0, ((HclNumber)Evaluate("length(distinct([for a in range(1000): a % 10]))")).Value);
        Assert.Equal("[\"b\",\"c\"]", Evaluate("setintersection([\"a\", \"b\", \"c\", \"b\"], [\"c\", \"b\"], [\"b\", \"c\", \"d\"])").ToJson()!.ToJsonString());
        Assert.Equal("[\"a\"]", Evaluate("setsubtract([\"a\", \"b\", \"a\"], [\"b\"])").ToJson()!.ToJsonString());
        Assert.Equal("[\"a\",\"b\",\"c\"]", Evaluate("setunion([\"a\", \"b\"], [\"b\", \"c\"])").ToJson()!.ToJsonString());
        Assert.Equal(HclValue.True, Evaluate("contains([[1, 2], [3]], [3])"));
        Assert.Equal(3.0, ((HclNumber)Evaluate("length(toset(var.list))")).Value);
    }

    [Fact]
    public void The_budget_is_configurable_per_evaluator()
    {
        var small = new HclEvaluationBudget { MaxSteps = 50, MaxRangeLength = 10, MaxStringLength = 8 };
        Assert.Equal(100_000, HclEvaluationBudget.Default.MaxSteps);
        Assert.Equal(1024, HclEvaluationBudget.Default.MaxRangeLength);

        Assert.Contains("more than 50 evaluation steps",
            Assert.Throws<HclUndecidedException>(() => Evaluate("[for a in range(9): [for b in range(9): b]]", small)).Message);
        Assert.Equal("[0,1,2]", Evaluate("[for a in range(3): a]", small).ToJson()!.ToJsonString());
        // A range within Terraform's limit but over this budget's is undecided rather than an error.
        Assert.Contains("range() produces more than 10 values", Assert.Throws<HclUndecidedException>(() => Evaluate("range(11)", small)).Message);
        Assert.Equal(20, ((HclList)Evaluate("range(20)")).Items.Count);
        Assert.Contains("longer than 8 characters", Assert.Throws<HclUndecidedException>(() => Evaluate("\"${\"abcde\"}${\"fghij\"}\"", small)).Message);
    }

    [Fact]
    public void A_time_limit_stops_an_evaluation_whatever_its_step_count()
    {
        var instant = new HclEvaluationBudget { MaxDuration = TimeSpan.Zero };
        var undecided = Assert.Throws<HclUndecidedException>(() => Evaluate("[for a in range(1000): a]", instant));
        Assert.Contains("took longer than 0 s to evaluate", undecided.Message);
    }

    private static HclValue Evaluate(string expression, HclEvaluationBudget? budget = null)
    {
        var values = new Dictionary<string, HclValue>(StringComparer.Ordinal)
        {
            ["list"] = new HclList([.. Enumerable.Range(0, 1000).Select(i => (HclValue)new HclString("item-" + (i % 3)))]),
            ["map"] = new HclMap(new Dictionary<string, HclValue> { ["b"] = new HclString("y"), ["a"] = new HclString("x") }),
            ["big"] = new HclString(new string('a', 60_000)),
        };
        var roots = new Dictionary<string, HclValue>(StringComparer.Ordinal) { ["var"] = new HclMap(values) };
        return new HclEvaluator(roots, budget).Evaluate(HclParser.ParseExpression(expression));
    }

    private static Task<T> Run<T>(Func<T> work) => Task.Run(work).WaitAsync(HangGuard);
}
