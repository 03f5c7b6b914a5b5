using System.Text.Json.Nodes;
using PartnerBot.Api.Modules;

namespace PartnerBot.Cards.Forms;

public enum ProvisioningFormMode { Create, Update }

/// <summary>
/// Builds the provisioning form of a Terraform module. Input ids are the variable names.
/// <list type="bullet">
/// <item>Each UIMeta group &gt; 0 is a step (ascending group number); inputs by UIMeta order, then name.</item>
/// <item>The ten metadata variables are never shown.</item>
/// <item>Other group-0 variables and variables without UIMeta go to a last, optional "Advanced" step, prefilled
///   with their defaults, except required ones (no default): those must be answered, so they join the first step
///   (a "Basics" step is created when the module has no groups).</item>
/// <item>Steps with more than <see cref="MaxInputsPerStep"/> inputs are split into parts ("Database (1/2)").</item>
/// <item>Update mode: only <c>updatesafe</c> variables are editable; the others are read-only.</item>
/// </list>
/// </summary>
public static class ProvisioningFormBuilder
{
    /// <summary>Keeps a step readable and within Teams' card size and Slack's 100 blocks per modal.</summary>
    public const int MaxInputsPerStep = 12;

    public static string FormId(string moduleName, ProvisioningFormMode mode) =>
        $"provision:{moduleName}:{(mode == ProvisioningFormMode.Create ? "create" : "update")}";

    public static UiForm Build(TerraformModule module, ProvisioningFormMode mode, IReadOnlyDictionary<string, JsonNode?>? currentValues = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var shown = module.Variables.Where(v => !v.IsMetadata).ToList();

        var grouped = shown.Where(v => v.Group is > 0).GroupBy(v => v.Group!.Value).OrderBy(g => g.Key)
            .Select(g => (Key: $"group-{g.Key}", Variables: g.ToList())).ToList();
        // Required variables outside any UIMeta group > 0 must be answered, so they lead rather than hide in "Advanced".
        var ungroupedRequired = shown.Where(v => (v.Group is null or 0) && v.Required).ToList();
        var advanced = shown.Where(v => (v.Group is null or 0) && !v.Required).ToList();

        if (ungroupedRequired.Count > 0)
        {
            if (grouped.Count == 0) grouped.Add(("basics", ungroupedRequired));
            else grouped[0].Variables.AddRange(ungroupedRequired);
        }

        var steps = new List<UiFormStep>();
        var usedTitles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, variables) in grouped)
        {
            var title = key == "basics" ? "Basics" : StepTitle(variables, steps.Count, usedTitles);
            AddSteps(steps, key, title, Sorted(variables), mode, currentValues, isAdvanced: false);
        }
        if (advanced.Count > 0)
            AddSteps(steps, "advanced", "Advanced", Sorted(advanced), mode, currentValues, isAdvanced: true);

        var title2 = mode == ProvisioningFormMode.Create ? $"Deploy {module.Name}" : $"Update {module.Name}";
        return new UiForm(FormId(module.Name, mode), title2, steps);
    }

    private static List<ModuleVariable> Sorted(IEnumerable<ModuleVariable> variables) =>
        variables.OrderBy(v => v.Order ?? int.MaxValue).ThenBy(v => v.Name, StringComparer.Ordinal).ToList();

    private static void AddSteps(List<UiFormStep> steps, string key, string title, List<ModuleVariable> variables,
        ProvisioningFormMode mode, IReadOnlyDictionary<string, JsonNode?>? currentValues, bool isAdvanced)
    {
        var inputs = variables.Select(v => BuildInput(v, mode, currentValues)).ToList();
        var parts = inputs.Chunk(MaxInputsPerStep).ToList();
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            var optional = part.All(input => input.ReadOnly || !input.Required || !string.IsNullOrEmpty(input.DefaultValue));
            steps.Add(new UiFormStep(
                parts.Count == 1 ? key : $"{key}-{i + 1}",
                parts.Count == 1 ? title : $"{title} ({i + 1}/{parts.Count})",
                part,
                isAdvanced && i == 0 ? "Prefilled with the module's defaults; change only what you need." : null,
                Optional: isAdvanced && optional));
        }
    }

    /// <summary>The input for one variable; exposed for tests and for single-variable edits.</summary>
    public static UiInput BuildInput(ModuleVariable variable, ProvisioningFormMode mode, IReadOnlyDictionary<string, JsonNode?>? currentValues = null)
    {
        var hints = VariableHints.For(variable);
        var type = TerraformType.TryParse(variable.Type, out var parsed) ? parsed : TerraformType.Any;
        if (type.Kind == TerraformTypeKind.Any && variable.HasDefault) type = InferFromDefault(variable.Default);

        var (kind, format) = type.Kind switch
        {
            TerraformTypeKind.Bool => (UiInputKind.Toggle, UiValueFormat.Bool),
            TerraformTypeKind.Number => (UiInputKind.Number, UiValueFormat.Number),
            TerraformTypeKind.String when hints.Options is { Count: > 0 } => (UiInputKind.Choice, UiValueFormat.Text),
            TerraformTypeKind.String when IsDate(variable) => (UiInputKind.Date, UiValueFormat.Text),
            TerraformTypeKind.String => (UiInputKind.Text, UiValueFormat.Text),
            TerraformTypeKind.List or TerraformTypeKind.Set when type.Element?.Kind == TerraformTypeKind.String && hints.Options is { Count: > 0 }
                => (UiInputKind.MultiChoice, UiValueFormat.CommaList),
            TerraformTypeKind.List or TerraformTypeKind.Set when type.Element?.Kind == TerraformTypeKind.String
                => (UiInputKind.MultiLine, UiValueFormat.Lines),
            _ => (UiInputKind.MultiLine, UiValueFormat.Json),
        };
        if (variable.Sensitive && format is UiValueFormat.Text or UiValueFormat.Number) kind = UiInputKind.Secret;

        JsonNode? value = null;
        var hasValue = false;
        if (currentValues is not null && currentValues.TryGetValue(variable.Name, out var current)) { value = current; hasValue = true; }
        else if (variable.HasDefault) { value = variable.Default; hasValue = true; }
        var text = hasValue ? FormValues.FromJson(value, format) : null;
        if (kind == UiInputKind.Text && text is not null && text.Contains('\n')) kind = UiInputKind.MultiLine;

        var options = hints.Options?.Select(o => new UiChoice(o, o)).ToList();
        // A prefilled choice not among the options (e.g. a legacy default) stays selectable.
        if (options is not null && kind == UiInputKind.Choice && !string.IsNullOrEmpty(text) && options.All(o => o.Value != text))
            options.Insert(0, new UiChoice(text, text));

        var errorText = variable.Validations.FirstOrDefault()?.ErrorMessage;
        return new UiInput(
            Id: variable.Name,
            Kind: kind,
            Label: VariableHints.Label(variable.Name),
            HelpText: Join(VariableHints.HelpText(variable.Description), FormatHint(format)),
            DefaultValue: text,
            Required: variable.Required,
            ErrorText: string.IsNullOrWhiteSpace(errorText) ? null : errorText,
            Options: options,
            Pattern: kind is UiInputKind.Text or UiInputKind.Secret ? hints.Pattern : null,
            Min: kind == UiInputKind.Number ? hints.Min : null,
            Max: kind == UiInputKind.Number ? hints.Max : null,
            MaxLength: kind is UiInputKind.Text or UiInputKind.Secret ? hints.MaxLength : null,
            ReadOnly: mode == ProvisioningFormMode.Update && !variable.UpdateSafe,
            Format: format);
    }

    private static string? FormatHint(UiValueFormat format) => format switch
    {
        UiValueFormat.Lines => "One per line.",
        UiValueFormat.Json => "Enter JSON.",
        _ => null,
    };

    private static string? Join(string? help, string? hint) =>
        help is null ? hint : hint is null ? help : $"{help} ({hint})";

    private static bool IsDate(ModuleVariable variable) =>
        variable.Name.EndsWith("_date", StringComparison.Ordinal) ||
        (variable.Description?.Contains("YYYY-MM-DD", StringComparison.Ordinal) ?? false);

    private static TerraformType InferFromDefault(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out _) => TerraformType.String,
        JsonValue v when v.TryGetValue<bool>(out _) => TerraformType.Bool,
        JsonValue => TerraformType.Number,
        JsonArray a when a.All(e => e is JsonValue ev && ev.TryGetValue<string>(out _)) => new TerraformType(TerraformTypeKind.List, TerraformType.String),
        _ => TerraformType.Any,
    };

    private static readonly HashSet<string> StopWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "enable", "enabled", "create", "configure", "use", "is", "existing", "custom", "default", "max", "min", "the", "new",
    };

    /// <summary>A step is named after the word most of its variables start with ("database_*" → "Database"), else "Settings N".</summary>
    private static string StepTitle(IReadOnlyList<ModuleVariable> variables, int index, HashSet<string> used)
    {
        var best = variables
            .Select(v => v.Name.Split('_', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(w => !StopWords.Contains(w) && w.Length > 1))
            .Where(w => w is not null)
            .GroupBy(w => w!, StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .FirstOrDefault();
        var title = best is not null && best.Count() * 10 >= variables.Count * 4
            ? VariableHints.Label(best.Key) : index == 0 ? "Basics" : $"Settings {index + 1}";
        var unique = title;
        for (var n = 2; !used.Add(unique); n++) unique = $"{title} {n}";
        return unique;
    }
}
