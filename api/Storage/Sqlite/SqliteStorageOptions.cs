namespace PartnerBot.Api.Storage.Sqlite;

/// <summary><c>Storage:Sqlite</c>.</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>The database file; relative paths are resolved against the current directory.</summary>
    public string Path { get; set; } = "./data/partnerbot.db";
}
