using System.Data.Common;

namespace PartnerBot.Api.Storage.Cosmos;

/// <summary><c>Storage:Cosmos</c>.</summary>
public sealed class CosmosStorageOptions
{
    /// <summary><c>AccountEndpoint=https://...;AccountKey=...;</c> (a secret: never logged).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The database holding one container per aggregate.</summary>
    public string Database { get; set; } = "partnerbot";

    /// <summary><c>Direct</c> (default, lowest latency in Azure) or <c>Gateway</c> (HTTPS only, firewalls, emulators).</summary>
    public string ConnectionMode { get; set; } = "Direct";

    /// <summary>Talk only to the configured endpoint, not to the account's regional endpoints (emulators, test servers).</summary>
    public bool LimitToEndpoint { get; set; }

    /// <summary>How long start-up waits for the account to answer before the host stops with one line saying so.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Operations slower than this are logged with their SDK diagnostics.</summary>
    public TimeSpan SlowRequestThreshold { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The <c>AccountEndpoint</c> of the connection string (never the key), or null when there is none.</summary>
    public string? AccountEndpoint()
    {
        var builder = new DbConnectionStringBuilder();
        try { builder.ConnectionString = ConnectionString; } catch (ArgumentException) { return null; }
        return builder.TryGetValue("AccountEndpoint", out var endpoint) ? endpoint as string : null;
    }

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return "Storage:Cosmos:ConnectionString is empty; set it (AccountEndpoint=...;AccountKey=...) or use Storage:Provider=Sqlite.";
        }
        else
        {
            var builder = new DbConnectionStringBuilder();
            var parsed = true;
            try { builder.ConnectionString = ConnectionString; } catch (ArgumentException) { parsed = false; }
            if (!parsed || !builder.TryGetValue("AccountEndpoint", out var endpoint) || !Uri.TryCreate(endpoint as string, UriKind.Absolute, out _)
                || !builder.TryGetValue("AccountKey", out var key) || string.IsNullOrWhiteSpace(key as string))
                yield return "Storage:Cosmos:ConnectionString is not of the form AccountEndpoint=https://<account>.documents.azure.com:443/;AccountKey=<key>;";
        }
        if (string.IsNullOrWhiteSpace(Database) || Database.Length > 255 || Database.IndexOfAny(['/', '\\', '?', '#']) >= 0)
            yield return $"Storage:Cosmos:Database '{Database}' must be 1-255 characters without '/', '\\', '?' or '#'.";
        if (!Enum.TryParse<Microsoft.Azure.Cosmos.ConnectionMode>(ConnectionMode, ignoreCase: true, out _))
            yield return $"Storage:Cosmos:ConnectionMode is '{ConnectionMode}'; it must be 'Direct' or 'Gateway'.";
        if (StartupTimeout <= TimeSpan.Zero)
            yield return "Storage:Cosmos:StartupTimeout must be positive.";
        if (SlowRequestThreshold <= TimeSpan.Zero)
            yield return "Storage:Cosmos:SlowRequestThreshold must be positive.";
    }
}
