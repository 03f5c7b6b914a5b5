using System.Net;
using System.Net.Sockets;

namespace PartnerBot.Tests.Infrastructure;

/// <summary>Loopback ports for hosts whose address must be known before they start.</summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listens on right now (taken from the system, then released).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
