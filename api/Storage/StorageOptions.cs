using Microsoft.Extensions.Options;
using PartnerBot.Api.Storage.Cosmos;
using PartnerBot.Api.Storage.Sqlite;

namespace PartnerBot.Api.Storage;

/// <summary>The <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";
    public const string SqliteProvider = "Sqlite";
    public const string CosmosProvider = "Cosmos";

    /// <summary><c>Sqlite</c> (embedded default) or <c>Cosmos</c>.</summary>
    public string Provider { get; set; } = SqliteProvider;
    public SqliteStorageOptions Sqlite { get; set; } = new();
    public CosmosStorageOptions Cosmos { get; set; } = new();

    internal bool IsCosmos => string.Equals(Provider, CosmosProvider, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Start-up validation with one-line messages that name the configuration key.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        if (string.Equals(options.Provider, StorageOptions.SqliteProvider, StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(options.Sqlite.Path))
                failures.Add("Storage:Sqlite:Path is empty; set it to the SQLite database file (default ./data/partnerbot.db).");
        }
        else if (options.IsCosmos)
        {
            failures.AddRange(options.Cosmos.Validate());
        }
        else
        {
            failures.Add($"Storage:Provider is '{options.Provider}'; it must be 'Sqlite' or 'Cosmos'.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
