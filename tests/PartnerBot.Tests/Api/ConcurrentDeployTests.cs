using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Api;

public sealed class SqliteConcurrentDeployTests() : ConcurrentDeployTests(StoreKind.Sqlite);

[RequiresNode]
public sealed class CosmosConcurrentDeployTests() : ConcurrentDeployTests(StoreKind.Cosmos);

/// <summary>
/// Many confirmations at once by one partner, through the REST API of the real host, on each store adapter: the
/// balance decides how many start, and it never goes below zero.
/// </summary>
public abstract class ConcurrentDeployTests(StoreKind kind) : IAsyncLifetime
{
    private readonly ApiHost host = new(kind);

    public Task InitializeAsync() => host.InitializeAsync();
    public Task DisposeAsync() => host.DisposeAsync();

    private static JsonContent Body(object value) => JsonContent.Create(value);

    private static object TinyStart(string label) => new { module = "Tiny", inputs = new { label } };

    [StoreFact]
    public async Task Hundred_concurrent_posts_with_credit_for_ten_create_exactly_ten_deployments()
    {
        using var client = await host.ClientForAsync("api-burst");
        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.PostAsync("/api/deployments", Body(TinyStart($"burst{i}")))));

        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(90, responses.Count(r => r.StatusCode == HttpStatusCode.PaymentRequired));
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonObject>("/api/credits"))!["total"]!.GetValue<decimal>());
        var list = (await client.GetFromJsonAsync<JsonObject>("/api/deployments?pageSize=100"))!;
        Assert.Equal(10, list["items"]!.AsArray().Count);
        var transactions = (await client.GetFromJsonAsync<JsonObject>("/api/credits/transactions?pageSize=200"))!["items"]!.AsArray();
        Assert.All(transactions, t => Assert.True(t!["balanceAfter"]!["total"]!.GetValue<decimal>() >= 0));
    }
}
