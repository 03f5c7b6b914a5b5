using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using PartnerBot.Api.Modules;
using PartnerBot.Api.Modules.Hcl;

namespace PartnerBot.Bench.Modules;

/// <summary>
/// Parse throughput over the whole module corpus, with HashiCorp's parser (hcl2json on Node) timed in the same run
/// as the baseline: the <c>MB/s</c> column is ours, <c>hcl2json MB/s</c> and <c>x hcl2json</c> compare.
/// Run: dotnet run -c Release --project bench/PartnerBot.Bench -- --filter '*ModuleParser*' --job short
/// </summary>
[Config(typeof(Columns))]
[MemoryDiagnoser]
public class ModuleParserBenchmarks
{
    private (string Name, string Text)[] _files = [];

    [GlobalSetup]
    public void Setup() => _files = ModuleCorpus.Files.Select(f => (Path.GetFileName(f), File.ReadAllText(f))).ToArray();

    /// <summary>Syntax only: every file to an HCL syntax tree.</summary>
    [Benchmark(Baseline = true)]
    public int ParseSyntax()
    {
        var blocks = 0;
        foreach (var (name, text) in _files) blocks += HclParser.ParseFile(text, name).Body.Blocks.Count;
        return blocks;
    }

    /// <summary>Everything <c>module inspect</c> does after reading: syntax, variables, defaults, metadata.</summary>
    [Benchmark]
    public int LoadModel()
    {
        var variables = 0;
        foreach (var (name, text) in _files)
            variables += ModuleLoader.LoadFiles(name, new Dictionary<string, string> { ["variables.tf"] = text }).Module!.Variables.Count;
        return variables;
    }

    private sealed class Columns : ManualConfig
    {
        public Columns()
        {
            AddColumn(new ThroughputColumn());
            AddColumn(new Hcl2JsonColumn(ratio: false));
            AddColumn(new Hcl2JsonColumn(ratio: true));
        }
    }

    private sealed class ThroughputColumn : IColumn
    {
        public string Id => "ModuleParser.MBps";
        public string ColumnName => "MB/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Corpus megabytes (10^6 bytes of UTF-8) processed per second";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
            ModuleCorpus.MegabytesPerSecond(summary, benchmarkCase) is { } mbps ? mbps.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "?";
    }

    private sealed class Hcl2JsonColumn(bool ratio) : IColumn
    {
        public string Id => ratio ? "ModuleParser.VsHcl2Json" : "ModuleParser.Hcl2JsonMBps";
        public string ColumnName => ratio ? "x hcl2json" : "hcl2json MB/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => ratio ? 2 : 1;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => ratio
            ? "Our throughput divided by hcl2json's on the same corpus (above 1 = faster)"
            : "Throughput of @cdktf/hcl2json (HashiCorp's HCL parser as WebAssembly on Node), measured in the same run";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var reference = ModuleCorpus.Hcl2JsonMegabytesPerSecond.Value;
            if (reference is not { } theirs) return "n/a";
            if (!ratio) return theirs.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
            return ModuleCorpus.MegabytesPerSecond(summary, benchmarkCase) is { } ours
                ? (ours / theirs).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)
                : "?";
        }
    }
}
