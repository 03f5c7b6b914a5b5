using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerBot.Bot.Channels.BotFramework;

namespace PartnerBot.Tests.BotFramework;

/// <summary>Every real activity payload survives deserialisation and serialisation without losing a field.</summary>
public sealed class ActivityRoundTripTests
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "BotFramework");

    /// <summary>The activities in each payload file (some files wrap them: a recorded request, an ActivitySet).</summary>
    public static TheoryData<string, int> Activities()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal))
            for (var i = 0; i < Extract(JsonNode.Parse(File.ReadAllText(file))!).Count; i++)
                data.Add(Path.GetFileName(file), i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Activities))]
    public void Activity_round_trips_without_losing_a_field(string file, int index)
    {
        var original = Extract(JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)))!)[index];
        var activity = original.Deserialize<Activity>(BotFrameworkJson.Options)!;
        var written = JsonSerializer.SerializeToNode(activity, BotFrameworkJson.Options)!;

        var differences = new List<string>();
        Compare(WithoutNulls(original), written, "$", differences);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    [Fact]
    public void Every_payload_file_holds_at_least_one_activity()
    {
        Assert.True(Activities().Count() >= 15);
    }

    private static List<JsonObject> Extract(JsonNode node) => node switch
    {
        JsonObject { } o when o["requestBody"] is JsonObject body => [body],
        JsonObject { } o when o["activities"] is JsonArray list => list.OfType<JsonObject>().ToList(),
        JsonObject { } o when o["type"] is not null => [o],
        _ => [],
    };

    /// <summary>Explicit nulls mean "absent" on the wire; the model omits them when writing.</summary>
    private static JsonNode? WithoutNulls(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(p => p.Value is not null).Select(p => KeyValuePair.Create(p.Key, WithoutNulls(p.Value)))),
        JsonArray a => new JsonArray(a.Select(WithoutNulls).ToArray()),
        JsonValue v => v.DeepClone(),
        _ => null,
    };

    private static void Compare(JsonNode? expected, JsonNode? actual, string path, List<string> differences)
    {
        switch (expected)
        {
            case JsonObject e:
                if (actual is not JsonObject a) { differences.Add($"{path}: expected an object, got {actual?.ToJsonString()}"); return; }
                foreach (var (key, value) in e) Compare(value, a[key], $"{path}.{key}", differences);
                foreach (var key in a.Select(p => p.Key).Where(k => !e.ContainsKey(k))) differences.Add($"{path}.{key}: added");
                return;
            case JsonArray e:
                if (actual is not JsonArray arr || arr.Count != e.Count) { differences.Add($"{path}: array differs"); return; }
                for (var i = 0; i < e.Count; i++) Compare(e[i], arr[i], $"{path}[{i}]", differences);
                return;
            case JsonValue e:
                if (actual is not JsonValue v) { differences.Add($"{path}: expected {e.ToJsonString()}, got {actual?.ToJsonString()}"); return; }
                if (e.ToJsonString() == v.ToJsonString()) return;
                // Timestamps are re-written in round-trip format: the same instant is the same value.
                if (e.TryGetValue<string>(out var es) && v.TryGetValue<string>(out var vs)
                    && DateTimeOffset.TryParse(es, CultureInfo.InvariantCulture, DateTimeStyles.None, out var ed)
                    && DateTimeOffset.TryParse(vs, CultureInfo.InvariantCulture, DateTimeStyles.None, out var vd)
                    && ed == vd && ed.Offset == vd.Offset) return;
                differences.Add($"{path}: expected {e.ToJsonString()}, got {v.ToJsonString()}");
                return;
        }
    }
}
