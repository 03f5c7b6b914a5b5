using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PartnerBot.Api.Storage;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>
/// The service URLs the bot may send to with its token: those seen on authenticated activities, plus the configured
/// support channel's (<c>Support:Teams:ServiceUrl</c>). Kept in memory and, when a document store is registered, in
/// the <c>teams-service-urls</c> container, so proactive sends keep working after a restart.
/// </summary>
public sealed class TrustedServiceUrls(IServiceProvider services, TimeProvider time, ILogger<TrustedServiceUrls> log)
{
    public const string Container = "teams-service-urls";
    private const string Partition = "msteams";
    private readonly ConcurrentDictionary<string, byte> _known = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Trusts a service URL for this process only (configured URLs; not persisted).</summary>
    public void TrustConfigured(string serviceUrl) => _known.TryAdd(Normalize(serviceUrl), 0);

    /// <summary>Remembers a service URL from an authenticated activity.</summary>
    public async Task TrustAsync(string serviceUrl, CancellationToken ct)
    {
        var url = Normalize(serviceUrl);
        if (!_known.TryAdd(url, 0) || Store is not { } store) return;
        try
        {
            await store.UpsertAsync(Container, Partition, IdOf(url),
                new JsonObject { ["serviceUrl"] = url, ["trustedAt"] = time.GetUtcNow().ToString("O") }, ct: ct);
        }
        catch (StorageException e)
        {
            // Still trusted in memory; the next process learns it again from the next activity.
            log.LogWarning("Could not persist trusted service URL: {Reason}", e.Message);
        }
    }

    public async ValueTask<bool> IsTrustedAsync(string serviceUrl, CancellationToken ct)
    {
        var url = Normalize(serviceUrl);
        if (_known.ContainsKey(url)) return true;
        if (Store is not { } store) return false;
        try
        {
            if (await store.ReadAsync(Container, Partition, IdOf(url), ct) is null) return false;
        }
        catch (StorageException e)
        {
            log.LogWarning("Could not read trusted service URLs: {Reason}", e.Message);
            return false;
        }
        _known.TryAdd(url, 0);
        return true;
    }

    private IDocumentStore? Store => services.GetService<IDocumentStore>();

    private static string Normalize(string url) => url.EndsWith('/') ? url : url + "/";

    // URLs contain '/', which ids may not; the lower-cased URL's hash is a stable id.
    private static string IdOf(string normalizedUrl) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedUrl.ToLowerInvariant())));
}
