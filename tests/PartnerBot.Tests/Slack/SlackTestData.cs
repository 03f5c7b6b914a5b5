using System.Text.Json.Nodes;

namespace PartnerBot.Tests.Slack;

internal static class SlackTestData
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "Slack");

    public static string Text(string relativePath) => File.ReadAllText(Path.Combine(Folder, relativePath));

    public static JsonObject Json(string relativePath) => JsonNode.Parse(Text(relativePath))!.AsObject();

    public static JsonObject Payload(string name) => Json(Path.Combine("payloads", name));

    public static string TempDatabase() =>
        Path.Combine(Path.GetTempPath(), "partnerbot-tests", "slack-" + Guid.NewGuid().ToString("N"), "store.db");
}
