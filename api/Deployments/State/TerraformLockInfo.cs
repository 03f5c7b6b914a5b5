using System.Text.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Api.Deployments.State;

/// <summary>
/// Terraform's lock info as its <c>http</c> backend sends it with LOCK and UNLOCK (and expects back, as the holder's,
/// with 409/423): <c>ID</c>, <c>Operation</c>, <c>Info</c>, <c>Who</c>, <c>Version</c>, <c>Created</c>, <c>Path</c>.
/// </summary>
public sealed record TerraformLockInfo(string Id, string? Operation, string? Info, string? Who, string? Version, string? Created,
    string? Path)
{
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxIdLength = 255;
    private static readonly string[] TextFields = ["Operation", "Info", "Who", "Version", "Created", "Path"];

    /// <summary>The JSON Terraform reads back: its own field names and casing.</summary>
    public JsonObject ToJson() => new()
    {
        ["ID"] = Id,
        ["Operation"] = Operation ?? "",
        ["Info"] = Info ?? "",
        ["Who"] = Who ?? "",
        ["Version"] = Version ?? "",
        ["Created"] = Created ?? "",
        ["Path"] = Path ?? "",
    };

    /// <summary>Parses a LOCK/UNLOCK body; null with the reason when it is not lock info.</summary>
    public static (TerraformLockInfo? Info, string? Problem) Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return (null, "The body is empty; send Terraform's lock info (a JSON object with an ID).");
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            return (null, "The lock info is not valid JSON: " + e.Message.Split('.')[0] + ".");
        }
        if (node is not JsonObject lockObject) return (null, "The lock info must be a JSON object with an ID.");
        if (lockObject["ID"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var id) || string.IsNullOrWhiteSpace(id))
            return (null, "The lock info needs its ID as a non-empty string.");
        if (id.Length > MaxIdLength) return (null, $"The lock ID is longer than {MaxIdLength} characters.");
        var texts = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var field in TextFields)
        {
            switch (lockObject[field])
            {
                case null:
                    texts[field] = null;
                    break;
                case JsonValue value when value.TryGetValue<string>(out var text):
                    texts[field] = text;
                    break;
                default:
                    return (null, $"The lock info's {field} must be a string.");
            }
        }
        return (new TerraformLockInfo(id, texts["Operation"], texts["Info"], texts["Who"], texts["Version"], texts["Created"],
            texts["Path"]), null);
    }
}
