using PartnerBot.Cards.Model;

namespace PartnerBot.Cards.Forms;

/// <summary>
/// One step of a form, with what was typed so far and the errors to show next to the fields. A message whose body is
/// this element is drawn as the form step itself: an Adaptive Card with inputs (Teams, Web Chat) or a modal (Slack).
/// </summary>
public sealed record UiFormStepElement(
    UiForm Form,
    int StepIndex,
    IReadOnlyDictionary<string, string?> Values,
    IReadOnlyDictionary<string, string> Errors) : UiElement
{
    public UiFormStep Step => Form.Step(StepIndex);

    /// <summary>The message that shows this step.</summary>
    public UiMessage ToMessage() => new(
        $"{Form.Title}: step {StepIndex + 1} of {Form.Steps.Count}, {Step.Title}",
        [this],
        []);

    /// <summary>The form step a message shows, or null for an ordinary message.</summary>
    public static UiFormStepElement? In(UiMessage message) => message.Body is [UiFormStepElement step] ? step : null;
}
