using PartnerBot.Api.Modules;
using PartnerBot.Api.Modules.Hcl;
using Xunit.Abstractions;

namespace PartnerBot.Tests.Modules;

/// <summary>The evaluator must decide (true or false) nearly every validation condition real modules use.</summary>
public sealed class ConditionCoverageTests(ITestOutputHelper output)
{
    [Fact]
    public void Evaluator_decides_at_least_95_percent_of_corpus_conditions()
    {
        var total = 0;
        var undecided = new List<string>();
        foreach (var file in ModuleTestPaths.AllCorpusFiles)
        {
            var result = ModuleLoader.LoadFiles(Path.GetFileName(file), new Dictionary<string, string> { ["variables.tf"] = File.ReadAllText(file) });
            if (result.Module is not { } module) continue;
            var submitted = module.Variables
                .Where(v => !v.IsMetadata && !v.HasDefault)
                .ToDictionary(v => v.Name, v => (string?)SampleText(v.Type));
            var report = ModuleInputValidator.Validate(module, submitted);
            var decidedVariables = report.Values.Keys.ToHashSet();
            foreach (var variable in module.Variables.Where(v => !v.IsMetadata))
            {
                total += variable.Validations.Count;
                if (!decidedVariables.Contains(variable.Name))
                    foreach (var validation in variable.Validations)
                        undecided.Add($"{Path.GetFileName(file)} {variable.Name}: {validation.Condition} — value not convertible: {string.Join("; ", report.ErrorsFor(variable.Name).Select(e => e.Message))}");
            }
            foreach (var d in report.Deferred) undecided.Add($"{Path.GetFileName(file)} {d.Variable}: {d.Condition} — {d.Reason}");
        }

        var decided = total - undecided.Count;
        output.WriteLine($"{decided} of {total} conditions decided ({(total == 0 ? 100 : 100.0 * decided / total):F1}%).");
        foreach (var line in undecided) output.WriteLine("undecided: " + line);
        Assert.True(total > 0);
        Assert.True(decided >= total * 0.95, $"only {decided} of {total} conditions decided");
    }

    [Theory]
    [InlineData("can(regex(\"^[a-z]+$\", var.x))", "abc", true)]
    [InlineData("can(regex(\"^[a-z]+$\", var.x))", "abc\n", false)] // RE2's $ matches only at the very end
    [InlineData("contains([\"a\", \"b\"], var.x)", "b", true)]
    [InlineData("length(var.x) >= 3 && length(var.x) <= 5", "abcdef", false)]
    [InlineData("startswith(var.x, \"ab\") && endswith(var.x, \"ef\")", "abcdef", true)]
    [InlineData("lower(var.x) == var.x && upper(\"a\") == \"A\"", "abc", true)]
    [InlineData("trimspace(var.x) != \"\"", "   ", false)]
    [InlineData("can(cidrhost(var.x, 0))", "10.0.0.0/16", true)]
    [InlineData("can(cidrhost(var.x, 0))", "10.0.0.0/33", false)]
    [InlineData("can(cidrhost(var.x, 0))", "not-a-cidr", false)]
    [InlineData("cidrnetmask(var.x) == \"255.255.0.0\"", "10.0.0.0/16", true)]
    [InlineData("cidrhost(var.x, 5) == \"10.0.0.5\"", "10.0.0.0/16", true)]
    [InlineData("cidrsubnet(var.x, 8, 2) == \"10.0.2.0/24\"", "10.0.0.0/16", true)]
    [InlineData("alltrue([for c in split(\",\", var.x) : can(tonumber(c))])", "1,2,3", true)]
    [InlineData("anytrue([for c in split(\",\", var.x) : c == \"z\"])", "1,2,3", false)]
    [InlineData("var.x == null ? true : length(var.x) > 1", "ab", true)]
    [InlineData("!contains([\"root\"], var.x)", "root", false)]
    [InlineData("can(regex(\"^(?P<user>[a-z]+)@\", var.x))", "me@example.com", true)]
    [InlineData("regex(\"^([a-z]+)-([0-9]+)$\", var.x)[1] == \"42\"", "abc-42", true)]
    [InlineData("length(regexall(\"[0-9]\", var.x)) == 2", "a1b2", true)]
    [InlineData("try(tonumber(var.x), 0) > 10", "x", false)]
    [InlineData("format(\"%s-%d\", var.x, 3) == \"a-3\"", "a", true)]
    [InlineData("strcontains(var.x, \"@\")", "a@b", true)]
    [InlineData("coalesce(var.x, \"d\") == \"v\"", "v", true)]
    [InlineData("length({for k, v in {a = 1, b = 2} : k => v if v > 1}) == 1", "", true)]
    public void Evaluates_conditions_like_terraform(string condition, string value, bool expected)
    {
        var evaluator = new HclEvaluator(new Dictionary<string, HclValue>
        {
            ["var"] = new HclMap(new Dictionary<string, HclValue> { ["x"] = new HclString(value) }),
        });
        Assert.Equal(HclValue.Of(expected), evaluator.Evaluate(HclParser.ParseExpression(condition)));
    }

    [Fact]
    public void Unknown_function_is_undecided_not_passed()
    {
        var evaluator = new HclEvaluator(new Dictionary<string, HclValue> { ["var"] = new HclMap(new Dictionary<string, HclValue>()) });
        Assert.Throws<HclUndecidedException>(() => evaluator.Evaluate(HclParser.ParseExpression("can(fileexists(\"/etc/passwd\"))")));
        Assert.Throws<HclUndecidedException>(() => evaluator.Evaluate(HclParser.ParseExpression("data.google_project.p.number > 0")));
    }

    /// <summary>Form text for a required variable of the given type, as a partner might type it.</summary>
    internal static string SampleText(string? type)
    {
        var parsed = TerraformType.Parse(type);
        return parsed.Kind switch
        {
            TerraformTypeKind.String or TerraformTypeKind.Any => "example-value",
            TerraformTypeKind.Number => "1",
            TerraformTypeKind.Bool => "true",
            TerraformTypeKind.List or TerraformTypeKind.Set => parsed.Element!.IsPrimitive ? "" : "[]",
            TerraformTypeKind.Map => "{}",
            TerraformTypeKind.Tuple => "[" + string.Join(",", parsed.TupleElements!.Select(e => SampleJson(e))) + "]",
            _ => SampleJson(parsed),
        };
    }

    private static string SampleJson(TerraformType type) => type.Kind switch
    {
        TerraformTypeKind.String or TerraformTypeKind.Any => "\"example-value\"",
        TerraformTypeKind.Number => "1",
        TerraformTypeKind.Bool => "true",
        TerraformTypeKind.List or TerraformTypeKind.Set or TerraformTypeKind.Tuple => "[]",
        TerraformTypeKind.Map => "{}",
        _ => "{" + string.Join(",", type.Attributes!.Where(a => !a.Optional).Select(a => $"\"{a.Name}\":{SampleJson(a.Type)}")) + "}",
    };
}
