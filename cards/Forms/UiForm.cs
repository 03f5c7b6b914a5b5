namespace PartnerBot.Cards.Forms;

/// <summary>A multi-step form, channel-neutral. Input ids are unique across the whole form.</summary>
/// <param name="SubmitLabel">The last step's button (<c>Submit</c> when null), e.g. <c>Publish</c>.</param>
/// <param name="Owner">The person filling it in, where others in the conversation see it too; its buttons carry them.</param>
public sealed record UiForm(string FormId, string Title, IReadOnlyList<UiFormStep> Steps, string? SubmitLabel = null,
    Model.UiActionOwner? Owner = null)
{
    public const string DefaultSubmitLabel = "Submit";

    /// <summary>The label of the button that submits the last step.</summary>
    public string Submit => string.IsNullOrWhiteSpace(SubmitLabel) ? DefaultSubmitLabel : SubmitLabel;

    public IEnumerable<UiInput> AllInputs => Steps.SelectMany(s => s.Inputs);

    public UiFormStep Step(int index) =>
        index >= 0 && index < Steps.Count
            ? Steps[index]
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"Form '{FormId}' has {Steps.Count} steps.");
}

/// <param name="Id">Stable id of the step (e.g. <c>group-2</c>, <c>advanced</c>).</param>
/// <param name="Optional">True when the step can be left as prefilled (every input has a value or is optional).</param>
public sealed record UiFormStep(string Id, string Title, IReadOnlyList<UiInput> Inputs, string? Description = null, bool Optional = false);

public enum UiInputKind { Text, MultiLine, Number, Toggle, Choice, MultiChoice, Date, Secret }

/// <summary>How the text value of an input becomes a typed value (see <see cref="FormValues.ToJson"/>).</summary>
public enum UiValueFormat
{
    /// <summary>The text as a string.</summary>
    Text,
    Number,
    /// <summary>"true" / "false".</summary>
    Bool,
    /// <summary>One list item per non-empty line.</summary>
    Lines,
    /// <summary>Comma-separated list (multi choice, as Adaptive Cards submits it).</summary>
    CommaList,
    /// <summary>JSON text, checked on the server.</summary>
    Json,
}

public sealed record UiChoice(string Title, string Value);

/// <summary>One input of a form step.</summary>
/// <param name="Id">Input id; for provisioning forms the Terraform variable name.</param>
/// <param name="DefaultValue">Initial value as text (toggle "true"/"false", multi choice comma-joined, lists one per line).</param>
/// <param name="ErrorText">Message shown when client-side validation (required, pattern, range) fails.</param>
/// <param name="Pattern">Regular expression the whole value must match (JavaScript/.NET compatible subset).</param>
/// <param name="ReadOnly">Shown, not editable (e.g. non-updatesafe variables in an update form).</param>
public sealed record UiInput(
    string Id,
    UiInputKind Kind,
    string Label,
    string? HelpText = null,
    string? DefaultValue = null,
    bool Required = false,
    string? ErrorText = null,
    IReadOnlyList<UiChoice>? Options = null,
    string? Pattern = null,
    double? Min = null,
    double? Max = null,
    int? MaxLength = null,
    string? Placeholder = null,
    bool ReadOnly = false,
    UiValueFormat Format = UiValueFormat.Text);
