namespace PartnerBot.Api.Storage;

/// <summary>The readiness route; the host maps it with its health checks, the store's among them.</summary>
public static class StorageRoutes
{
    /// <summary><c>GET</c>: 200 while the store answers within 5 seconds (and the other readiness checks pass), 503 otherwise.</summary>
    public const string Readiness = "/readyz";
}
