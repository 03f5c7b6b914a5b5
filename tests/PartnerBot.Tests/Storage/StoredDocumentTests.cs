using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PartnerBot.Api.Storage;

namespace PartnerBot.Tests.Storage;

/// <summary>A document handed out as text is read into a type without a JSON tree, and a parsed body wins once it exists.</summary>
public sealed class StoredDocumentTests
{
    [Fact]
    public void A_typed_read_of_stored_text_matches_one_through_the_parsed_body()
    {
        const string json = """{"id":"a","name":"Zoë","count":3,"tags":["x","y"],"extra":{"ignored":true}}""";
        var fromText = new StoredDocument("box", "p", "a", json, "\"e1\"").Deserialize(StoredDocumentTestJson.Default.Sample)!;
        var viaBody = new StoredDocument("box", "p", "a", json, "\"e1\"");
        _ = viaBody.Body;
        var fromBody = viaBody.Deserialize(StoredDocumentTestJson.Default.Sample)!;

        Assert.Equal(new Sample("Zoë", 3, ["x", "y"]), fromText);
        Assert.Equal(fromText.Name, fromBody.Name);
        Assert.Equal(fromText.Count, fromBody.Count);
        Assert.Equal(fromText.Tags, fromBody.Tags);
    }

    [Fact]
    public void Once_the_body_is_parsed_and_changed_a_typed_read_sees_the_change()
    {
        var document = new StoredDocument("box", "p", "a", """{"id":"a","name":"before","count":1,"tags":[]}""", "\"e1\"");
        document.Body["name"] = "after";
        Assert.Equal("after", document.Deserialize(StoredDocumentTestJson.Default.Sample)!.Name);

        var built = new StoredDocument("box", "p", "a", new JsonObject { ["name"] = "tree", ["count"] = 2, ["tags"] = new JsonArray() }, "\"e2\"");
        Assert.Equal("tree", built.Deserialize(StoredDocumentTestJson.Default.Sample)!.Name);
    }
}

public sealed record Sample(string Name, int Count, List<string> Tags)
{
    public bool Equals(Sample? other) => other is not null && Name == other.Name && Count == other.Count && Tags.SequenceEqual(other.Tags);
    public override int GetHashCode() => HashCode.Combine(Name, Count);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Sample))]
internal sealed partial class StoredDocumentTestJson : JsonSerializerContext;
