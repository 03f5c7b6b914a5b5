using System.Text.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Api.Storage;

/// <summary>Applies Cosmos DB patch semantics to a document body in memory (for stores that patch by rewrite).</summary>
internal static class PatchApplier
{
    public static void Validate(IReadOnlyList<PatchOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Count is 0 or > 10)
            throw new ArgumentException("A patch has 1 to 10 operations (the Cosmos DB limit).", nameof(operations));
        foreach (var op in operations)
        {
            JsonPointer.ParseWritable(op.Path);
            if (op.Type == PatchOperationType.Increment && op.Value?.GetValueKind() != JsonValueKind.Number)
                throw new ArgumentException($"Increment of '{op.Path}' needs a numeric value.", nameof(operations));
        }
    }

    public static void Apply(JsonObject body, IReadOnlyList<PatchOperation> operations)
    {
        foreach (var op in operations)
        {
            var pointer = JsonPointer.ParseWritable(op.Path);
            var parent = Navigate(body, pointer);
            var last = pointer.Segments[^1];
            switch (op.Type)
            {
                case PatchOperationType.Set:
                    SetChild(parent, last, op.Value?.DeepClone(), pointer);
                    break;
                case PatchOperationType.Increment:
                    var current = GetChild(parent, last);
                    if (current is not null && current.GetValueKind() != JsonValueKind.Number)
                        throw BadRequest($"Increment of '{pointer}' found a {current.GetValueKind()}, not a number.");
                    SetChild(parent, last, Add(current?.AsValue(), op.Value!.AsValue()), pointer);
                    break;
                case PatchOperationType.Remove:
                    RemoveChild(parent, last, pointer);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(operations), op.Type, "Unknown patch operation.");
            }
        }
    }

    private static JsonNode Navigate(JsonObject body, JsonPointer pointer)
    {
        JsonNode node = body;
        for (var i = 0; i < pointer.Segments.Count - 1; i++)
            node = GetChild(node, pointer.Segments[i]) ?? throw BadRequest($"Patch path '{pointer}': '{pointer.Segments[i]}' does not exist.");
        return node;
    }

    private static JsonNode? GetChild(JsonNode node, string segment) => node switch
    {
        JsonObject o => o[segment],
        JsonArray a when JsonPointer.IsArrayIndex(segment, out var i) && i < a.Count => a[i],
        _ => null,
    };

    private static void SetChild(JsonNode parent, string segment, JsonNode? value, JsonPointer pointer)
    {
        switch (parent)
        {
            case JsonObject o:
                o[segment] = value;
                break;
            case JsonArray a when JsonPointer.IsArrayIndex(segment, out var i) && i <= a.Count:
                if (i == a.Count) a.Add(value);
                else a[i] = value;
                break;
            default:
                throw BadRequest($"Patch path '{pointer}' does not address a property or array element.");
        }
    }

    private static void RemoveChild(JsonNode parent, string segment, JsonPointer pointer)
    {
        var removed = parent switch
        {
            JsonObject o => o.Remove(segment),
            JsonArray a when JsonPointer.IsArrayIndex(segment, out var i) && i < a.Count => RemoveAt(a, i),
            _ => false,
        };
        if (!removed) throw BadRequest($"Patch removes '{pointer}', which does not exist.");
    }

    private static bool RemoveAt(JsonArray array, int index)
    {
        array.RemoveAt(index);
        return true;
    }

    private static JsonValue Add(JsonValue? current, JsonValue delta)
    {
        var d = JsonScalar.Number(delta);
        var c = current is null ? 0L : JsonScalar.Number(current);
        if (c is long cl && d is long dl)
        {
            try { return JsonValue.Create(checked(cl + dl)); }
            catch (OverflowException) { return JsonValue.Create((double)cl + dl); }
        }
        return JsonValue.Create(Convert.ToDouble(c, System.Globalization.CultureInfo.InvariantCulture) + Convert.ToDouble(d, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static StorageException BadRequest(string message) => new(StorageErrorKind.BadRequest, message);
}
