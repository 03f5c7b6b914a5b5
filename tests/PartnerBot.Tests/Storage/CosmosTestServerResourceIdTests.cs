using PartnerBot.Api.Storage;
using PartnerBot.Api.Storage.Cosmos;

namespace PartnerBot.Tests.Storage;

/// <summary>
/// The Cosmos DB protocol test server gives every database and container a resource id the SDK can put in a URL path,
/// as the service does: however many databases the test run has created before, a query on a new one finds its
/// partition key ranges. (The stock server's 63rd database had none, so whichever test got it failed.)
/// </summary>
public sealed class CosmosTestServerResourceIdTests
{
    [NodeFact]
    public async Task Queries_work_on_every_new_database_across_two_hundred_of_them()
    {
        var server = await CosmosTestServer.GetAsync();
        for (var i = 0; i < 200; i++)
        {
            var database = "rid" + Guid.NewGuid().ToString("N");
            await server.Admin.CreateDatabaseAsync(database);
            try
            {
                using var store = new CosmosDocumentStore(server.Options(database));
                await store.CreateAsync("things", "p", "a", new System.Text.Json.Nodes.JsonObject { ["n"] = i });
                var page = await store.QueryAsync("things", "p", new DocumentQuery());
                Assert.True(page.Items.Count == 1, $"database {i} of the run: {page.Items.Count} items");
            }
            finally
            {
                using var _ = await server.Admin.GetDatabase(database).DeleteStreamAsync();
            }
        }
    }
}
