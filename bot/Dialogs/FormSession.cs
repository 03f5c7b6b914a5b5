using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Dialogs;

/// <summary>What a form step's button asked for, with the values gathered so far (this step's included).</summary>
public sealed record FormSubmission(string Verb, int StepIndex, IReadOnlyDictionary<string, string?> Values);

/// <summary>An open multi-step form, as a dialog keeps it in its state: the form instance, the step shown, the values so far.</summary>
public sealed record FormState
{
    /// <summary>The form's id plus an instance suffix, so buttons of older cards can be told apart.</summary>
    public string? FormId { get; set; }

    public int Step { get; set; }

    /// <summary>Values typed so far by input id; secret ones protected (<see cref="FormSecrets"/>).</summary>
    public Dictionary<string, string?> Values { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Works a <see cref="FormState"/>: Back / Next / Submit keep what was typed (secrets protected); a stale card (another
/// form instance) is refused.
/// </summary>
public sealed class FormSession(FormState state, FormSecrets secrets)
{
    public string? FormId => state.FormId;

    public int Step => state.Step;

    /// <summary>Opens a new instance of <paramref name="form"/>, optionally with values already known.</summary>
    public void Start(UiForm form, IReadOnlyDictionary<string, string?>? initial = null)
    {
        state.FormId = form.FormId + "-" + Guid.NewGuid().ToString("N")[..8];
        state.Step = 0;
        Save(form, initial ?? new Dictionary<string, string?>());
    }

    /// <summary>The form with this instance's id, so its buttons can be told from older cards.</summary>
    public UiForm Bind(UiForm form) => form with { FormId = FormId ?? form.FormId };

    public Dictionary<string, string?> Values =>
        state.Values.ToDictionary(kv => kv.Key, kv => secrets.Unprotect(kv.Value), StringComparer.Ordinal);

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
        state.Step = stepIndex;
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
        state.Values = values.ToDictionary(kv => kv.Key, kv => secretIds.Contains(kv.Key) ? secrets.Protect(kv.Value) : kv.Value, StringComparer.Ordinal);
    }

    private static HashSet<string> SecretIds(UiForm form) =>
        form.AllInputs.Where(i => i.Kind == UiInputKind.Secret).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
}
