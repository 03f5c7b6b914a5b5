namespace PartnerBot.Tests.Storage;

/// <summary>The contract suite against the Cosmos DB adapter on the project's Cosmos DB protocol test server.</summary>
[RequiresNode]
public sealed class CosmosDocumentStoreContractTests() : DocumentStoreContractTests(StoreKind.Cosmos);
