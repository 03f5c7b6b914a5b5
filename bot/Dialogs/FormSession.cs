using System.Text.Json.Nodes;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Dialogs;

/// <summary>What a form step's button asked for, with the values gathered so far (this step's included).</summary>
public sealed record FormSubmission(string Verb, int StepIndex, IReadOnlyDictionary<string, string?> Values);

/// <summary>
/// A multi-step form kept in a dialog's state: which form instance is open, the step shown, and the values typed so
/// far (secrets protected). Back / Next / Submit keep what was typed; a stale card (another form instance) is refused.
/// </summary>
public sealed class FormSession(JsonObject state, FormSecrets secrets)
{
    private const string FormIdKey = "formId";
    private const string StepKey = "step";
    private const string ValuesKey = "values";

    public string? FormId => (string?)state[FormIdKey];

    public int Step => (int?)state[StepKey] ?? 0;

    /// <summary>Opens a new instance of <paramref name="form"/>, optionally with values already known.</summary>
    public void Start(UiForm form, IReadOnlyDictionary<string, string?>? initial = null)
    {
        state[FormIdKey] = form.FormId + "-" + Guid.NewGuid().ToString("N")[..8];
        state[StepKey] = 0;
        Save(form, initial ?? new Dictionary<string, string?>());
    }

    /// <summary>The form with this instance's id, so its buttons can be told from older cards.</summary>
    public UiForm Bind(UiForm form) => form with { FormId = FormId ?? form.FormId };

    public Dictionary<string, string?> Values
    {
        get
        {
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (state[ValuesKey] is JsonObject stored)
                foreach (var (key, value) in stored) values[key] = secrets.Unprotect((string?)value);
            return values;
        }
    }

    /// <summary>
    /// Reads a Back / Next / Submit press of this form instance and merges its values; null when the press belongs to
    /// another form (or an old card).
    /// </summary>
    public FormSubmission? Read(TurnContext turn, UiForm form)
    {
        var action = AdaptiveCardForms.ReadAction(turn.Data);
        if (action is null || action.FormId != FormId || action.Step < 0 || action.Step >= form.Steps.Count) return null;
        var step = form.Step(action.Step);
        var merged = FormValues.Merge(Values, step, AdaptiveCardForms.ReadValues(turn.Data, step));
        Save(form, merged);
        return new FormSubmission(action.Verb, action.Step, merged);
    }

    /// <summary>The message showing <paramref name="stepIndex"/>; secrets are never sent back into the conversation.</summary>
    public UiMessage Show(UiForm form, int stepIndex, IReadOnlyDictionary<string, string>? errors = null)
    {
        state[StepKey] = stepIndex;
        var secretIds = SecretIds(form);
        var shown = Values.Where(kv => !secretIds.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        return new UiFormStepElement(Bind(form), stepIndex, shown, errors ?? new Dictionary<string, string>()).ToMessage();
    }

    /// <summary>The first step holding one of the inputs named in <paramref name="errors"/>.</summary>
    public static int StepOf(UiForm form, IReadOnlyDictionary<string, string> errors)
    {
        for (var i = 0; i < form.Steps.Count; i++)
            if (form.Steps[i].Inputs.Any(input => errors.ContainsKey(input.Id))) return i;
        return 0;
    }

    private void Save(UiForm form, IReadOnlyDictionary<string, string?> values)
    {
        var secretIds = SecretIds(form);
        var stored = new JsonObject();
        foreach (var (key, value) in values) stored[key] = secretIds.Contains(key) ? secrets.Protect(value) : value;
        state[ValuesKey] = stored;
    }

    private static HashSet<string> SecretIds(UiForm form) =>
        form.AllInputs.Where(i => i.Kind == UiInputKind.Secret).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
}
