using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using PartnerBot.Api.Modules;
using PartnerBot.Cards;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Forms;

namespace PartnerBot.Bench.Cards;

/// <summary>
/// Building and serialising the provisioning form of the largest corpus module (most inputs), per channel.
/// Baseline: building the neutral form only. Target: at most 1 ms per step for build + render + serialise.
/// Run: dotnet run -c Release --project bench/PartnerBot.Bench -- --filter '*FormRenderingBench*' --job short
/// </summary>
[MemoryDiagnoser]
public class FormRenderingBench
{
    private static readonly Dictionary<string, string?> NoValues = new();
    private static readonly Dictionary<string, string> NoErrors = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private TerraformModule _module = null!;

    [GlobalSetup]
    public void Setup()
    {
        _module = LargestModule();
        var form = ProvisioningFormBuilder.Build(_module, ProvisioningFormMode.Create);
        Console.WriteLine($"// Module {_module.Name}: {form.AllInputs.Count()} inputs in {form.Steps.Count} steps");
    }

    [Benchmark(Baseline = true)]
    public int BuildFormOnly() => ProvisioningFormBuilder.Build(_module, ProvisioningFormMode.Create).Steps.Count;

    [Benchmark]
    public int TeamsAllSteps() => RenderAll(CardHost.Teams);

    [Benchmark]
    public int WebChatAllSteps() => RenderAll(CardHost.WebChat);

    [Benchmark]
    public int SlackAllSteps()
    {
        var form = ProvisioningFormBuilder.Build(_module, ProvisioningFormMode.Create);
        var bytes = 0;
        for (var i = 0; i < form.Steps.Count; i++) bytes += Write(BlockKitRenderer.RenderModal(form, i, NoValues, NoErrors));
        return bytes;
    }

    private int RenderAll(CardHost host)
    {
        var form = ProvisioningFormBuilder.Build(_module, ProvisioningFormMode.Create);
        var bytes = 0;
        for (var i = 0; i < form.Steps.Count; i++) bytes += Write(AdaptiveCardRenderer.RenderFormStep(form, i, NoValues, NoErrors, host));
        return bytes;
    }

    /// <summary>Serialises straight from the JSON DOM with Utf8JsonWriter (no reflection-based serializer).</summary>
    private int Write(System.Text.Json.Nodes.JsonNode node)
    {
        _buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer, CardJson.WriterOptions);
        node.WriteTo(writer);
        writer.Flush();
        return _buffer.WrittenCount;
    }

    /// <summary>The corpus module with the most inputs, or the repository's own test module when the corpus is absent.</summary>
    internal static TerraformModule LargestModule()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "PartnerBot.sln"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException("Run from inside the repository (PartnerBot.sln not found above the benchmark).");
        var corpus = Path.GetFullPath(Path.Combine(root.FullName, "..", "shared", "corpus", "rad-modules"));
        if (!Directory.Exists(corpus))
            return ModuleLoader.LoadDirectory(Path.Combine(root.FullName, "tests", "PartnerBot.Tests", "TestData", "Cards", "Modules", "Blog")).Module!;
        return Directory.GetFiles(corpus, "*.tf")
            .Select(f => ModuleLoader.LoadFiles(Path.GetFileName(f).Replace(".variables.tf", ""), new Dictionary<string, string> { [Path.GetFileName(f)] = File.ReadAllText(f) }).Module)
            .OfType<TerraformModule>()
            .MaxBy(m => m.Variables.Count(v => !v.IsMetadata))!;
    }
}
