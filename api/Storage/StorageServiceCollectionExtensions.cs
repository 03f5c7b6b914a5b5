using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Storage.Cosmos;
using PartnerBot.Api.Storage.Sqlite;
using PartnerBot.Api.Telemetry;

namespace PartnerBot.Api.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="IDocumentStore"/> chosen by <c>Storage:Provider</c>, validates the storage options at
    /// start-up and prepares the store (SQLite file and schema, or Cosmos DB database and containers) before serving.
    /// </summary>
    public static IServiceCollection AddPartnerBotStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IDocumentStore>(CreateStore);
        services.AddHostedService<StorageStartup>();
        return services;
    }

    /// <summary>
    /// Prepares the store (what the start-up hosted service does), for callers that want a failure before the host
    /// starts: it then surfaces as a <see cref="StorageException"/> of kind Unavailable with a one-line message,
    /// without the host logging it with a stack trace first. Preparing again afterwards costs nothing.
    /// </summary>
    public static async Task PrepareStorageAsync(this IServiceProvider services, CancellationToken ct)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        if ((store is InstrumentedDocumentStore instrumented ? instrumented.Inner : store) is CosmosDocumentStore cosmos)
            await cosmos.InitializeAsync(ct);
    }

    private static IDocumentStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var time = services.GetRequiredService<TimeProvider>();
        return options.IsCosmos
            ? new InstrumentedDocumentStore(
                new CosmosDocumentStore(options.Cosmos, loggers.CreateLogger<CosmosDocumentStore>(), services.GetServices<StorageContainer>()), "cosmosdb")
            : new InstrumentedDocumentStore(new SqliteDocumentStore(options.Sqlite.Path, time, loggers.CreateLogger<SqliteDocumentStore>()), "sqlite");
    }

    /// <summary>
    /// Prepares the store before the host starts serving: resolving it creates the SQLite file and schema; for
    /// Cosmos DB the database and the declared containers are created. Failures stop start-up, not the first request.
    /// </summary>
    private sealed class StorageStartup(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => services.PrepareStorageAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
