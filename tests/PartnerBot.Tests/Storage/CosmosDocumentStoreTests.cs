using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Hosting;

namespace PartnerBot.Tests.Storage;

/// <summary>The contract suite against the Cosmos DB adapter on the project's Cosmos DB protocol test server.</summary>
[RequiresNode]
public sealed class CosmosDocumentStoreContractTests() : DocumentStoreContractTests(StoreKind.Cosmos)
{
    [StoreFact]
    public async Task Containers_use_pk_as_partition_key_with_ttl_on()
    {
        await Store.UpsertAsync("ledger", "u1", "a", new JsonObject { ["v"] = 1 });
        var server = await CosmosTestServer.GetAsync();
        var database = TestStore.Configuration["Storage:Cosmos:Database"]!;
        var properties = (await server.Admin.GetContainer(database, "ledger").ReadContainerAsync()).Resource;
        Assert.Equal("/pk", properties.PartitionKeyPath);
        Assert.Equal(-1, properties.DefaultTimeToLive);
    }

    [StoreFact]
    public async Task Stored_items_carry_pk_and_ttl_but_bodies_handed_back_do_not()
    {
        await Store.CreateAsync("ledger", "u1", "a", new JsonObject { ["v"] = 1 }, new DocumentOptions(TimeSpan.FromMinutes(1)));
        var server = await CosmosTestServer.GetAsync();
        var database = TestStore.Configuration["Storage:Cosmos:Database"]!;
        using var raw = await server.Admin.GetContainer(database, "ledger").ReadItemStreamAsync("a", new PartitionKey("u1"));
        var item = (await JsonNode.ParseAsync(raw.Content))!.AsObject();
        Assert.Equal("u1", (string?)item["pk"]);
        Assert.Equal(60, (int?)item["ttl"]);

        var read = await Store.ReadAsync("ledger", "u1", "a");
        Assert.Equal(["id", "v"], read!.Body.Select(p => p.Key).Order());
    }
}

/// <summary>The host with <c>Storage:Provider=Cosmos</c>.</summary>
public sealed class CosmosStorageHostingTests
{
    [NodeFact]
    public async Task A_cosmos_host_creates_declared_containers_at_start_up_and_answers_readyz()
    {
        await using var testStore = await TestStore.CreateAsync(StoreKind.Cosmos);
        await using var app = BotHost.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            foreach (var (key, value) in testStore.Configuration) builder.Configuration[key] = value;
            builder.Services.AddStorageContainer("deployments", "/createdAt");
        });
        await app.StartAsync();

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

        var server = await CosmosTestServer.GetAsync();
        var properties = (await server.Admin.GetContainer(testStore.Configuration["Storage:Cosmos:Database"], "deployments").ReadContainerAsync()).Resource;
        Assert.Contains(properties.IndexingPolicy.CompositeIndexes, ci => ci.Count == 2 && ci[0].Path == "/createdAt" && ci[1].Path == "/id");

        var store = app.Services.GetRequiredService<IDocumentStore>();
        await store.CreateAsync("deployments", "u1", "d1", new JsonObject { ["createdAt"] = "2026-01-01" });
        var page = await store.QueryAsync("deployments", "u1", new DocumentQuery { OrderBy = "/createdAt", Descending = true });
        Assert.Equal("d1", Assert.Single(page.Items).Id);
        await app.StopAsync();
    }

    [Theory]
    [InlineData("", "Storage:Cosmos:ConnectionString is empty")]
    [InlineData("AccountEndpoint=not-a-url;AccountKey=SuperSecretKey123", "Storage:Cosmos:ConnectionString is not of the form")]
    public async Task A_cosmos_provider_without_a_usable_connection_string_stops_start_up_naming_the_key(string connectionString, string message)
    {
        await using var app = BotHost.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration["Storage:Provider"] = "Cosmos";
            builder.Configuration["Storage:Cosmos:ConnectionString"] = connectionString;
        });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain("SuperSecretKey", e.Message);
    }
}
