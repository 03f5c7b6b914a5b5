using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>
/// The sideloadable Teams app package (PROTOCOLS 2): manifest.json (schema v1.22), color.png 192×192 and
/// outline.png 32×32, all at the root of the zip.
/// </summary>
public static class TeamsAppPackage
{
    public const string ManifestVersion = "1.22";
    public const string AppVersion = "1.0.0";
    public const string AccentColor = "#2B6CB0";

    /// <param name="routes">The chat commands; the suggested ones (<see cref="ChatRouteTable.Suggested"/>) are the bot's command menu.</param>
    public static JsonObject BuildManifest(string botAppId, string publicBaseUrl, ChatRouteTable routes)
    {
        if (!Guid.TryParse(botAppId, out var botId))
            throw new ArgumentException("MicrosoftAppId must be the bot's Entra app id (a GUID) to build the Teams package.", nameof(botAppId));
        if (!Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var baseUri))
            throw new ArgumentException("PublicBaseUrl must be an absolute URL.", nameof(publicBaseUrl));

        var site = baseUri.GetLeftPart(UriPartial.Authority);
        var commands = new JsonArray(routes.Suggested
            .Select(c => (JsonNode)new JsonObject { ["title"] = c.Name, ["description"] = Shorten(c.Help?.Description ?? c.Name, 128) }).ToArray());
        return new JsonObject
        {
            ["$schema"] = $"https://developer.microsoft.com/en-us/json-schemas/teams/v{ManifestVersion}/MicrosoftTeams.schema.json",
            ["manifestVersion"] = ManifestVersion,
            ["version"] = AppVersion,
            ["id"] = botId.ToString("D"),
            ["developer"] = new JsonObject
            {
                ["name"] = "PartnerBot",
                ["websiteUrl"] = site,
                ["privacyUrl"] = site + "/privacy",
                ["termsOfUseUrl"] = site + "/terms",
            },
            ["name"] = new JsonObject { ["short"] = "PartnerBot", ["full"] = "PartnerBot: self-service deployments for partners" },
            ["description"] = new JsonObject
            {
                ["short"] = "Deploy cloud modules from chat, paid in credits.",
                ["full"] = "PartnerBot lets partners deploy Terraform modules from the catalog, follow their deployments, " +
                           "publish their own modules from GitHub, manage credits and reach support, right from Teams.",
            },
            ["icons"] = new JsonObject { ["color"] = "color.png", ["outline"] = "outline.png" },
            ["accentColor"] = AccentColor,
            ["bots"] = new JsonArray(new JsonObject
            {
                ["botId"] = botId.ToString("D"),
                ["scopes"] = new JsonArray("personal", "team", "groupChat"),
                ["supportsFiles"] = false,
                ["isNotificationOnly"] = false,
                ["commandLists"] = new JsonArray(new JsonObject
                {
                    ["scopes"] = new JsonArray("personal", "team", "groupChat"),
                    ["commands"] = commands,
                }),
            }),
            ["permissions"] = new JsonArray("identity", "messageTeamMembers"),
            ["validDomains"] = new JsonArray(baseUri.Host),
        };
    }

    /// <summary>Writes the package zip.</summary>
    public static void Write(Stream output, string botAppId, string publicBaseUrl, ChatRouteTable routes)
    {
        var manifest = BuildManifest(botAppId, publicBaseUrl, routes);
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        Add(zip, "manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
        var (r, g, b) = ParseColor(AccentColor);
        Add(zip, "color.png", TeamsAppIcons.Color(r, g, b));
        Add(zip, "outline.png", TeamsAppIcons.Outline());
    }

    private static void Add(ZipArchive zip, string name, byte[] content)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        // A fixed time keeps the package byte-for-byte reproducible.
        entry.LastWriteTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var stream = entry.Open();
        stream.Write(content);
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static (byte, byte, byte) ParseColor(string hex) =>
        (Convert.ToByte(hex[1..3], 16), Convert.ToByte(hex[3..5], 16), Convert.ToByte(hex[5..7], 16));
}
