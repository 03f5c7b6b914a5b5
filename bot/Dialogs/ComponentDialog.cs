using System.Text.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Bot.Dialogs;

/// <summary>
/// A dialog that runs its own inner dialogs on an inner stack kept in its state, so a feature can be packaged
/// (with its prompts) and started as one dialog.
/// </summary>
public abstract class ComponentDialog(string id) : Dialog(id)
{
    private const string InnerStackKey = "inner";
    protected DialogSet InnerDialogs { get; } = new();
    protected string InitialDialogId { get; set; } = "";

    protected ComponentDialog AddDialog(Dialog dialog)
    {
        InnerDialogs.Add(dialog);
        if (InitialDialogId.Length == 0) InitialDialogId = dialog.Id;
        return this;
    }

    public override async Task<DialogTurnResult> BeginAsync(DialogContext dc, JsonNode? options, CancellationToken ct)
    {
        var (inner, stack) = CreateInnerContext(dc);
        var result = await inner.BeginDialogAsync(InitialDialogId, options, ct);
        return await AfterInnerTurnAsync(dc, stack, result, ct);
    }

    public override async Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct)
    {
        var (inner, stack) = CreateInnerContext(dc);
        var result = await inner.ContinueDialogAsync(ct);
        return await AfterInnerTurnAsync(dc, stack, result, ct);
    }

    /// <summary>A child started from outside the component (rare) ended: keep waiting on the inner stack.</summary>
    public override Task<DialogTurnResult> ResumeAsync(DialogContext dc, JsonNode? result, CancellationToken ct) =>
        Task.FromResult(DialogTurnResult.Waiting);

    private (DialogContext Inner, List<DialogInstance> Stack) CreateInnerContext(DialogContext dc)
    {
        var state = dc.ActiveDialog!.State;
        var stack = state[InnerStackKey] is JsonArray saved
            ? saved.Deserialize(DialogJson.Context.ListDialogInstance) ?? []
            : [];
        return (new DialogContext(InnerDialogs, dc.Turn, stack, dc), stack);
    }

    private async Task<DialogTurnResult> AfterInnerTurnAsync(DialogContext dc, List<DialogInstance> stack, DialogTurnResult result, CancellationToken ct)
    {
        if (result.Status is DialogTurnStatus.Complete or DialogTurnStatus.Cancelled || stack.Count == 0)
            return await dc.EndDialogAsync(result.Result, ct);
        dc.ActiveDialog!.State[InnerStackKey] = JsonSerializer.SerializeToNode(stack, DialogJson.Context.ListDialogInstance);
        return DialogTurnResult.Waiting;
    }
}
