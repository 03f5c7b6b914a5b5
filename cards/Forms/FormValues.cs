using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PartnerBot.Cards.Forms;

/// <summary>
/// Form values as text (what every channel submits) and their conversion to and from typed JSON values,
/// plus the server-side validation that never trusts the client.
/// </summary>
public static class FormValues
{
    /// <summary>The longest a module's pattern may take to match one value; a slower match leaves the value to the server's check.</summary>
    public static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>Text form of a typed value for an input of <paramref name="format"/> (null → empty).</summary>
    public static string FromJson(JsonNode? value, UiValueFormat format)
    {
        if (value is null) return "";
        switch (format)
        {
            case UiValueFormat.Lines or UiValueFormat.CommaList when value is JsonArray array:
                var items = array.Select(i => i is JsonValue v && v.TryGetValue<string>(out var s) ? s : i?.ToJsonString() ?? "");
                return string.Join(format == UiValueFormat.Lines ? "\n" : ",", items);
            case UiValueFormat.Json:
                return value.ToJsonString(CardJson.Options);
            default:
                if (value is JsonValue jv)
                {
                    if (jv.TryGetValue<string>(out var s)) return s;
                    if (jv.TryGetValue<bool>(out var b)) return b ? "true" : "false";
                    return jv.ToJsonString();
                }
                return value.ToJsonString(CardJson.Options);
        }
    }

    /// <summary>
    /// The typed value of <paramref name="text"/> for <paramref name="input"/>; blank → null.
    /// Returns false with a friendly message when the text does not fit the input.
    /// </summary>
    public static bool TryToJson(UiInput input, string? text, out JsonNode? value, out string? error)
    {
        value = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        var label = input.Label;
        switch (input.Format)
        {
            case UiValueFormat.Number:
                if (!decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    error = $"{label} must be a number.";
                    return false;
                }
                value = JsonValue.Create(number);
                return true;
            case UiValueFormat.Bool:
                var t = text.Trim();
                if (t.Equals("true", StringComparison.OrdinalIgnoreCase)) value = JsonValue.Create(true);
                else if (t.Equals("false", StringComparison.OrdinalIgnoreCase)) value = JsonValue.Create(false);
                else { error = $"{label} must be true or false."; return false; }
                return true;
            case UiValueFormat.Lines:
                value = new JsonArray(text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Select(l => (JsonNode?)JsonValue.Create(l)).ToArray());
                return true;
            case UiValueFormat.CommaList:
                value = new JsonArray(text.Split(',').Select(l => l.Trim()).Where(l => l.Length > 0).Select(l => (JsonNode?)JsonValue.Create(l)).ToArray());
                return true;
            case UiValueFormat.Json:
                try
                {
                    value = JsonNode.Parse(text);
                    return true;
                }
                catch (JsonException e)
                {
                    error = $"{label} must be valid JSON ({Short(e.Message)}).";
                    return false;
                }
            default:
                value = JsonValue.Create(text);
                return true;
        }
    }

    /// <summary>
    /// Validates the submitted values of one step on the server: required, number and range, pattern,
    /// choice membership, JSON syntax. Returns errors keyed by input id (empty when all is well).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Validate(UiFormStep step, IReadOnlyDictionary<string, string?> values)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in step.Inputs)
        {
            if (input.ReadOnly) continue;
            values.TryGetValue(input.Id, out var text);
            var error = ValidateOne(input, text);
            if (error is not null) errors[input.Id] = error;
        }
        return errors;
    }

    public static string? ValidateOne(UiInput input, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return input.Required && input.Kind != UiInputKind.Toggle ? input.ErrorText ?? $"{input.Label} is required." : null;
        if (!TryToJson(input, text, out var value, out var error)) return error;

        if (input.Format == UiValueFormat.Number && value is JsonValue n && n.TryGetValue<decimal>(out var d))
        {
            if (input.Min is { } min && (double)d < min || input.Max is { } max && (double)d > max)
                return input.ErrorText ?? $"{input.Label} must be between {input.Min?.ToString(CultureInfo.InvariantCulture) ?? "-∞"} and {input.Max?.ToString(CultureInfo.InvariantCulture) ?? "∞"}.";
        }
        if (input.Options is { Count: > 0 } options)
        {
            var allowed = options.Select(o => o.Value).ToHashSet(StringComparer.Ordinal);
            var chosen = input.Kind == UiInputKind.MultiChoice ? text.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0) : [text.Trim()];
            var bad = chosen.FirstOrDefault(c => !allowed.Contains(c));
            if (bad is not null) return $"{input.Label}: '{Short(bad)}' is not one of the options.";
        }
        if (input.Pattern is { } pattern && input.Format == UiValueFormat.Text)
        {
            try
            {
                if (!Regex.IsMatch(text, pattern, RegexOptions.None, PatternTimeout))
                    return input.ErrorText ?? $"{input.Label} does not have the expected format.";
            }
            catch (RegexMatchTimeoutException)
            {
                // Undecided: the pattern is a hint copied from the module's own validation, which the server checks
                // again (deferring to Terraform's plan when it cannot decide). A slow pattern neither rejects the value nor fails.
            }
            catch (ArgumentException)
            {
                // A pattern .NET cannot read is no reason to refuse the value either: the same server check decides.
            }
        }
        if (input.MaxLength is { } maxLength && text.Length > maxLength)
            return $"{input.Label} must be at most {maxLength} characters.";
        if (input.Kind == UiInputKind.Date && !DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            return $"{input.Label} must be a date (YYYY-MM-DD).";
        return null;
    }

    /// <summary>
    /// Merges a step's submitted values into the values gathered so far. A blank secret keeps the earlier value:
    /// secrets are never sent back to the client, so a re-shown step submits them empty.
    /// </summary>
    public static Dictionary<string, string?> Merge(IReadOnlyDictionary<string, string?> gathered, UiFormStep step, IReadOnlyDictionary<string, string?> submitted)
    {
        var merged = new Dictionary<string, string?>(gathered, StringComparer.Ordinal);
        foreach (var input in step.Inputs)
        {
            if (input.ReadOnly || !submitted.TryGetValue(input.Id, out var value)) continue;
            if (input.Kind == UiInputKind.Secret && string.IsNullOrEmpty(value) && merged.TryGetValue(input.Id, out var kept) && !string.IsNullOrEmpty(kept))
                continue;
            merged[input.Id] = value;
        }
        return merged;
    }

    /// <summary>
    /// Typed values for every editable input of the form (blank optional inputs are left out, so their defaults
    /// apply), or the errors keyed by input id.
    /// </summary>
    public static FormConversion ToJsonValues(UiForm form, IReadOnlyDictionary<string, string?> values)
    {
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var step in form.Steps)
            foreach (var (id, message) in Validate(step, values))
                errors[id] = message;
        foreach (var input in form.AllInputs)
        {
            if (input.ReadOnly || errors.ContainsKey(input.Id)) continue;
            values.TryGetValue(input.Id, out var text);
            if (string.IsNullOrWhiteSpace(text))
            {
                if (input.Format == UiValueFormat.Bool) result[input.Id] = JsonValue.Create(false);
                continue;
            }
            if (TryToJson(input, text, out var value, out var error)) result[input.Id] = value;
            else errors[input.Id] = error!;
        }
        return new FormConversion(result, errors);
    }

    private static string Short(string text) => text.Length <= 80 ? text : text[..77] + "...";
}

/// <summary>Typed values keyed by input id (variable name), or errors keyed by input id.</summary>
public sealed record FormConversion(IReadOnlyDictionary<string, JsonNode?> Values, IReadOnlyDictionary<string, string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
