using System.Collections.Concurrent;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>
/// The service URLs the bot may send to with its token: those seen on authenticated activities, plus the
/// configured support channel's (<c>Support:Teams:ServiceUrl</c>). Kept in memory, so after a restart a
/// proactive send to a service URL works again once any authenticated activity from it has arrived (Teams
/// uses a handful of regional URLs, so this happens quickly) or when it is the configured support URL.
/// </summary>
public sealed class TrustedServiceUrls
{
    private readonly ConcurrentDictionary<string, byte> _urls = new(StringComparer.OrdinalIgnoreCase);

    public void Trust(string serviceUrl) => _urls.TryAdd(Normalize(serviceUrl), 0);

    public bool IsTrusted(string serviceUrl) => _urls.ContainsKey(Normalize(serviceUrl));

    private static string Normalize(string url) => url.EndsWith('/') ? url : url + "/";
}
