using PartnerBot.Api.Modules;
using PartnerBot.Cards;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Forms;
using Xunit.Abstractions;
using static PartnerBot.Tests.Cards.CardTestSupport;

namespace PartnerBot.Tests.Cards;

/// <summary>
/// Acceptance: the provisioning form of every real module (shared corpus when present, plus this project's own
/// test modules) renders valid, size-bounded Adaptive Cards and limit-respecting Slack modals for every step.
/// </summary>
public class CorpusFormTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> NoValues = new();
    private static readonly Dictionary<string, string> NoErrors = new();

    /// <summary>Each corpus file is one module's variables (flattened as Name.variables.tf); own modules are folders.</summary>
    public static IEnumerable<object[]> Modules()
    {
        foreach (var dir in Directory.GetDirectories(TestData("Modules")).Order(StringComparer.Ordinal))
            yield return [dir];
        if (SharedCorpus() is { } corpus)
            foreach (var file in Directory.GetFiles(corpus, "*.tf").Order(StringComparer.Ordinal))
                yield return [file];
    }

    internal static TerraformModule Load(string path)
    {
        var result = Directory.Exists(path)
            ? ModuleLoader.LoadDirectory(path)
            : ModuleLoader.LoadFiles(Path.GetFileName(path).Replace(".variables.tf", ""), new Dictionary<string, string> { [Path.GetFileName(path)] = File.ReadAllText(path) });
        Assert.True(result.Module is not null, $"{path}: {result.Error}");
        return result.Module!;
    }

    [Fact]
    public void Own_test_modules_are_always_present()
    {
        Assert.True(Modules().Count() >= 2);
        output.WriteLine(SharedCorpus() is null ? "Shared corpus absent: own modules only." : $"Shared corpus: {SharedCorpus()}");
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void Every_step_of_every_module_renders_within_channel_limits(string path)
    {
        var module = Load(path);
        foreach (var mode in new[] { ProvisioningFormMode.Create, ProvisioningFormMode.Update })
        {
            var form = ProvisioningFormBuilder.Build(module, mode);

            // Every non-metadata variable in exactly one step, exactly once; required variables are required inputs.
            var ids = form.AllInputs.Select(i => i.Id).ToList();
            Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(module.Variables.Where(v => !v.IsMetadata).Select(v => v.Name).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
            var inputs = form.AllInputs.ToDictionary(i => i.Id);
            foreach (var variable in module.Variables.Where(v => !v.IsMetadata && v.Required))
                Assert.True(inputs[variable.Name].Required, $"{variable.Name} should be required");

            // "Advanced" only holds prefilled, optional inputs: required ones lead in the first step.
            Assert.All(form.Steps.Where(s => s.Id.StartsWith("advanced", StringComparison.Ordinal)), s => Assert.True(s.Optional, s.Title));

            for (var step = 0; step < form.Steps.Count; step++)
            {
                foreach (var host in new[] { CardHost.Teams, CardHost.WebChat })
                {
                    var card = AdaptiveCardRenderer.RenderFormStep(form, step, NoValues, NoErrors, host);
                    var size = CardJson.Utf8Size(card);
                    Assert.True(size <= AdaptiveCardRenderer.MaxCardBytes, $"{module.Name} {mode} step {step}: {size} bytes");
                    if (host == CardHost.Teams || mode == ProvisioningFormMode.Create) AssertValidCard(card);

                    var rendered = AdaptiveCardFormTests.Descendants(card["body"]!.AsArray())
                        .Where(n => ((string?)n["type"])?.StartsWith("Input.") == true).ToDictionary(n => (string)n["id"]!);
                    foreach (var input in form.Steps[step].Inputs.Where(i => !i.ReadOnly))
                    {
                        Assert.True(rendered.ContainsKey(input.Id), $"{input.Id} missing from card");
                        if (input.Required && input.Kind != UiInputKind.Toggle)
                            Assert.True((bool?)rendered[input.Id]["isRequired"] == true, $"{input.Id} should be isRequired");
                    }
                }
                var view = BlockKitRenderer.RenderModal(form, step, NoValues, NoErrors);
                var problems = BlockKitLimits.CheckView(view);
                Assert.True(problems.Count == 0, $"{module.Name} {mode} step {step}:\n" + string.Join("\n", problems));
                var blocks = view["blocks"]!.AsArray().Where(b => (string?)b!["type"] == "input").ToDictionary(b => (string)b!["block_id"]!);
                foreach (var input in form.Steps[step].Inputs.Where(i => !i.ReadOnly && i.Required && i.Kind != UiInputKind.Toggle))
                    Assert.False((bool)blocks[input.Id]!["optional"]!, $"{input.Id} should not be optional in Slack");
            }
        }
    }
}
