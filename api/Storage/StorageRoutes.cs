namespace PartnerBot.Api.Storage;

/// <summary>The HTTP endpoints storage maps (see <see cref="StorageServiceCollectionExtensions.MapStorageHealth"/>).</summary>
public static class StorageRoutes
{
    /// <summary><c>GET</c>: 200 "ready" when the store answers within 5 seconds, 503 otherwise.</summary>
    public const string Readiness = "/readyz";
}
