using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Storage.Sqlite;

namespace PartnerBot.Bench.Storage;

/// <summary>
/// The embedded store's point read, upsert, conditional patch and partition query on a temporary file.
/// Run: dotnet run -c Release --project bench/PartnerBot.Bench -- --filter '*SqliteStoreBench*' --job short --inProcess
/// </summary>
[MemoryDiagnoser]
public class SqliteStoreBench
{
    private const string Box = "bench";
    private const string Partition = "tenant-1";
    private string? _folder;
    private SqliteDocumentStore? _store;
    private int _counter;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "partnerbot-bench", Guid.NewGuid().ToString("N"));
        _store = new SqliteDocumentStore(Path.Combine(_folder, "bench.db"));
        for (var i = 0; i < 1000; i++)
            _store.UpsertAsync(Box, i < 200 ? Partition : "other" + (i % 10), $"item{i:D4}", Body(i)).GetAwaiter().GetResult();
        _store.UpsertAsync(Box, Partition, "wallet", new JsonObject { ["balance"] = long.MaxValue / 2 }).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        if (_folder is not null) Directory.Delete(_folder, recursive: true);
    }

    private static JsonObject Body(int i) => new() { ["name"] = $"item {i}", ["score"] = i % 37, ["tags"] = new JsonArray("a", "b") };

    [Benchmark(Baseline = true)]
    public async Task<string?> PointRead() => (await _store!.ReadAsync(Box, Partition, "item0042"))?.ETag;

    [Benchmark]
    public async Task<string> Upsert() => (await _store!.UpsertAsync(Box, Partition, $"w{Interlocked.Increment(ref _counter) % 100}", Body(7))).ETag;

    [Benchmark]
    public async Task<string> ConditionalDecrement() =>
        (await _store!.PatchAsync(Box, Partition, "wallet", [PatchOperation.Increment("/balance", -1)], [FieldFilter.Ge("/balance", 1)])).ETag;

    [Benchmark]
    public async Task<int> PartitionQueryOrderedPage() =>
        (await _store!.QueryAsync(Box, Partition, new DocumentQuery { Filters = [FieldFilter.Ge("/score", 5)], OrderBy = "/score", PageSize = 20 })).Items.Count;
}
