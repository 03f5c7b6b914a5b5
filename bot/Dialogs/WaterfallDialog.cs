using System.Text.Json.Nodes;

namespace PartnerBot.Bot.Dialogs;

public delegate Task<DialogTurnResult> WaterfallStep(WaterfallStepContext step, CancellationToken ct);

/// <summary>A dialog made of steps run in order; each step may prompt and wait, the next one gets the answer.</summary>
public class WaterfallDialog(string id, IReadOnlyList<WaterfallStep> steps) : Dialog(id)
{
    private const string StepIndexKey = "step";
    private const string ValuesKey = "values";
    private const string OptionsKey = "options";

    public override Task<DialogTurnResult> BeginAsync(DialogContext dc, JsonNode? options, CancellationToken ct)
    {
        var state = dc.ActiveDialog!.State;
        state[OptionsKey] = options?.DeepClone();
        state[ValuesKey] = new JsonObject();
        return RunStepAsync(dc, 0, null, ct);
    }

    /// <summary>A waterfall waiting at a step without a prompt receives the input as that step's result.</summary>
    public override Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct)
    {
        var index = dc.ActiveDialog!.State[StepIndexKey]?.GetValue<int>() ?? 0;
        JsonNode? result = dc.Turn.Text.Length > 0 ? JsonValue.Create(dc.Turn.Text) : dc.Turn.Data.DeepClone();
        return RunStepAsync(dc, index + 1, result, ct);
    }

    public override Task<DialogTurnResult> ResumeAsync(DialogContext dc, JsonNode? result, CancellationToken ct)
    {
        var index = dc.ActiveDialog!.State[StepIndexKey]?.GetValue<int>() ?? 0;
        return RunStepAsync(dc, index + 1, result, ct);
    }

    internal async Task<DialogTurnResult> RunStepAsync(DialogContext dc, int index, JsonNode? result, CancellationToken ct)
    {
        if (index >= steps.Count) return await dc.EndDialogAsync(result, ct);
        var state = dc.ActiveDialog!.State;
        state[StepIndexKey] = index;
        var context = new WaterfallStepContext(this, dc, index, result, state[OptionsKey], (JsonObject)state[ValuesKey]!);
        return await steps[index](context, ct);
    }
}

public sealed class WaterfallStepContext(WaterfallDialog dialog, DialogContext dc, int index, JsonNode? result, JsonNode? options, JsonObject values)
{
    public DialogContext Dialog { get; } = dc;
    public TurnContext Turn => Dialog.Turn;
    public int Index { get; } = index;
    /// <summary>What the previous step's prompt (or child dialog) returned.</summary>
    public JsonNode? Result { get; } = result;
    public JsonNode? Options { get; } = options;
    /// <summary>Values kept across the steps of this waterfall (persisted).</summary>
    public JsonObject Values { get; } = values;

    public Task<DialogTurnResult> NextAsync(JsonNode? result = null, CancellationToken ct = default) => dialog.RunStepAsync(Dialog, Index + 1, result, ct);

    public Task<DialogTurnResult> PromptAsync(string dialogId, JsonNode? options = null, CancellationToken ct = default) => Dialog.BeginDialogAsync(dialogId, options, ct);

    public Task<DialogTurnResult> EndAsync(JsonNode? result = null, CancellationToken ct = default) => Dialog.EndDialogAsync(result, ct);

    public static DialogTurnResult Wait() => DialogTurnResult.Waiting;
}
