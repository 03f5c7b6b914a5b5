using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Azure.Cosmos;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Storage.Cosmos;

namespace PartnerBot.Bench.Storage;

/// <summary>
/// Our Cosmos DB adapter against the raw SDK (typed API, its default serializer) on the same test server in the
/// same run. The ratio column per category is the adapter's overhead (target at most 1.1).
/// Run: dotnet run -c Release --project bench/PartnerBot.Bench -- --filter '*CosmosAdapterOverhead*' --job short --inProcess
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[MemoryDiagnoser]
public class CosmosAdapterOverheadBench
{
    private const string ContainerName = "bench";
    private const string Partition = "tenant-1";
    private CosmosServerProcess? _server;
    private CosmosClient? _rawClient;
    private Container? _raw;
    private CosmosDocumentStore? _adapter;
    private int _counter;

    public sealed record Item(string id, string pk, string name, int score, string[] tags);

    [GlobalSetup]
    public void Setup()
    {
        _server = CosmosServerProcess.Start();
        var database = "bench" + Guid.NewGuid().ToString("N");
        _rawClient = new CosmosClient(_server.ConnectionString, new CosmosClientOptions { ConnectionMode = ConnectionMode.Gateway, LimitToEndpoint = true });
        _adapter = new CosmosDocumentStore(new CosmosStorageOptions
        {
            ConnectionString = _server.ConnectionString, Database = database, ConnectionMode = "Gateway", LimitToEndpoint = true,
        });
        _adapter.InitializeAsync().GetAwaiter().GetResult();
        for (var i = 0; i < 20; i++)
            _adapter.UpsertAsync(ContainerName, Partition, $"item{i:D2}", Body(i)).GetAwaiter().GetResult();
        _raw = _rawClient.GetContainer(database, ContainerName);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _adapter?.Dispose();
        _rawClient?.Dispose();
        _server?.Dispose();
    }

    private static JsonObject Body(int i) => new() { ["name"] = $"item {i}", ["score"] = i, ["tags"] = new JsonArray("a", "b") };

    [Benchmark(Baseline = true), BenchmarkCategory("PointRead")]
    public async Task<string> Sdk_PointRead() => (await _raw!.ReadItemAsync<Item>("item07", new PartitionKey(Partition))).Resource.name;

    [Benchmark, BenchmarkCategory("PointRead")]
    public async Task<string?> Adapter_PointRead() => (string?)(await _adapter!.ReadAsync(ContainerName, Partition, "item07"))!.Body["name"];

    [Benchmark(Baseline = true), BenchmarkCategory("Upsert")]
    public async Task<string> Sdk_Upsert()
    {
        var i = Interlocked.Increment(ref _counter) % 50;
        return (await _raw!.UpsertItemAsync(new Item($"w{i}", Partition, $"item {i}", i, ["a", "b"]), new PartitionKey(Partition))).ETag;
    }

    [Benchmark, BenchmarkCategory("Upsert")]
    public async Task<string> Adapter_Upsert()
    {
        var i = Interlocked.Increment(ref _counter) % 50;
        return (await _adapter!.UpsertAsync(ContainerName, Partition, $"w{i}", Body(i))).ETag;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("PartitionQuery")]
    public async Task<int> Sdk_PartitionQuery()
    {
        using var iterator = _raw!.GetItemQueryIterator<Item>(
            // The very SQL the adapter sends, so the server does the same work and the ratio is client overhead.
            new QueryDefinition("SELECT * FROM c WHERE (IS_NUMBER(c[\"score\"]) AND c[\"score\"] >= @p0) ORDER BY c.id ASC").WithParameter("@p0", 5L),
            requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(Partition), MaxItemCount = 10 });
        return (await iterator.ReadNextAsync()).Count;
    }

    [Benchmark, BenchmarkCategory("PartitionQuery")]
    public async Task<int> Adapter_PartitionQuery() =>
        (await _adapter!.QueryAsync(ContainerName, Partition, new DocumentQuery { Filters = [FieldFilter.Ge("/score", 5)], PageSize = 10 })).Items.Count;
}
