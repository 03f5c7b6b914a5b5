using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Api.Modules.Hcl;

/// <summary>A value of the Terraform language as the evaluator needs it: null, string, number, bool, sequence or object.</summary>
public abstract record HclValue
{
    public static HclNull Null { get; } = new();
    public static HclBool True { get; } = new(true);
    public static HclBool False { get; } = new(false);

    public static HclBool Of(bool value) => value ? True : False;

    public abstract string TypeName { get; }

    /// <summary>The value as JSON (objects keep their key order; numbers keep their literal text when they have one).</summary>
    public abstract JsonNode? ToJson();

    public static HclValue FromJson(JsonNode? node) => node switch
    {
        null => Null,
        JsonArray array => new HclList(array.Select(FromJson).ToArray()),
        JsonObject obj => new HclMap(obj.ToDictionary(p => p.Key, p => FromJson(p.Value), StringComparer.Ordinal)),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => new HclString(value.GetValue<string>()),
            JsonValueKind.True => True,
            JsonValueKind.False => False,
            JsonValueKind.Number => HclNumber.Parse(value.ToJsonString()),
            _ => Null,
        },
        _ => Null,
    };
}

public sealed record HclNull : HclValue
{
    public override string TypeName => "null";
    public override JsonNode? ToJson() => null;
}

public sealed record HclString(string Value) : HclValue
{
    public override string TypeName => "string";
    public override JsonNode ToJson() => JsonValue.Create(Value);
}

public sealed record HclBool(bool Value) : HclValue
{
    public override string TypeName => "bool";
    public override JsonNode ToJson() => JsonValue.Create(Value);
}

/// <summary>A number; <see cref="Text"/> is the literal as written when it came straight from source or input.</summary>
public sealed record HclNumber(double Value, string? Text = null) : HclValue
{
    public override string TypeName => "number";

    public static HclNumber Parse(string text) =>
        new(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), text);

    public static bool TryParse(string text, out HclNumber number)
    {
        var trimmed = text.Trim();
        if (trimmed.Length > 0 && (char.IsAsciiDigit(trimmed[0]) || trimmed[0] is '-' or '+' or '.')
            && double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            number = new HclNumber(value, trimmed);
            return true;
        }
        number = new HclNumber(0);
        return false;
    }

    public override JsonNode ToJson()
    {
        if (!double.IsFinite(Value)) throw new HclEvaluationException($"The number {Text ?? Value.ToString(CultureInfo.InvariantCulture)} is out of range.");
        if (Text is not null && decimal.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact))
            return JsonValue.Create(exact.Scale > 0 ? exact / 1.000000000000000000000000000000000m : exact);
        if (Math.Abs(Value) < 7.9e27 && Value == Math.Floor(Value)) return JsonValue.Create((decimal)Value);
        return JsonValue.Create(Value);
    }

    public bool Equals(HclNumber? other) => other is not null && Value.Equals(other.Value);
    public override int GetHashCode() => Value.GetHashCode();

    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A list, set or tuple value (the evaluator does not need to tell them apart).</summary>
public sealed record HclList(IReadOnlyList<HclValue> Items) : HclValue
{
    public override string TypeName => "list";
    public override JsonNode ToJson() => new JsonArray(Items.Select(i => i.ToJson()).ToArray());

    public bool Equals(HclList? other) => other is not null && Items.SequenceEqual(other.Items);
    public override int GetHashCode() => Items.Count;
}

/// <summary>An object or map value.</summary>
public sealed record HclMap(IReadOnlyDictionary<string, HclValue> Attributes) : HclValue
{
    public override string TypeName => "object";

    public override JsonNode ToJson()
    {
        var obj = new JsonObject();
        foreach (var (key, value) in Attributes) obj[key] = value.ToJson();
        return obj;
    }

    public bool Equals(HclMap? other) =>
        other is not null && Attributes.Count == other.Attributes.Count
        && Attributes.All(p => other.Attributes.TryGetValue(p.Key, out var v) && p.Value.Equals(v));

    public override int GetHashCode() => Attributes.Count;
}
