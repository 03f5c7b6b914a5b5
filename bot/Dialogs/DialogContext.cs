using System.Text.Json.Nodes;

namespace PartnerBot.Bot.Dialogs;

/// <summary>
/// Drives one dialog stack for one turn. The stack is a plain list persisted with the conversation's state, so a
/// turn that dies half-way leaves the last saved stack untouched.
/// </summary>
public sealed class DialogContext(DialogSet dialogs, TurnContext turn, List<DialogInstance> stack, DialogContext? parent = null)
{
    public DialogSet Dialogs { get; } = dialogs;
    public TurnContext Turn { get; } = turn;
    public List<DialogInstance> Stack { get; } = stack;
    public DialogContext? Parent { get; } = parent;

    /// <summary>The dialog on top of the stack (the last element).</summary>
    public DialogInstance? ActiveDialog => Stack.Count == 0 ? null : Stack[^1];

    public async Task<DialogTurnResult> BeginDialogAsync(string dialogId, JsonNode? options = null, CancellationToken ct = default)
    {
        var dialog = FindDialog(dialogId) ?? throw new InvalidOperationException($"Unknown dialog '{dialogId}'.");
        Stack.Add(new DialogInstance { Id = dialogId });
        return await dialog.BeginAsync(this, options, ct);
    }

    public async Task<DialogTurnResult> ContinueDialogAsync(CancellationToken ct = default)
    {
        var active = ActiveDialog;
        if (active is null) return DialogTurnResult.Empty;
        var dialog = FindDialog(active.Id);
        if (dialog is null)
        {
            // A dialog removed from the product since the state was saved: drop it rather than fail every turn.
            Stack.RemoveAt(Stack.Count - 1);
            return DialogTurnResult.Empty;
        }
        return await dialog.ContinueAsync(this, ct);
    }

    public async Task<DialogTurnResult> EndDialogAsync(JsonNode? result = null, CancellationToken ct = default)
    {
        if (Stack.Count > 0)
        {
            var ended = Stack[^1];
            Stack.RemoveAt(Stack.Count - 1);
            var endedDialog = FindDialog(ended.Id);
            if (endedDialog is not null) await endedDialog.EndAsync(this, ended, cancelled: false, ct);
        }

        var parentInstance = ActiveDialog;
        if (parentInstance is not null)
        {
            var parentDialog = FindDialog(parentInstance.Id);
            if (parentDialog is not null) return await parentDialog.ResumeAsync(this, result, ct);
        }
        return new DialogTurnResult(DialogTurnStatus.Complete, result);
    }

    public async Task<DialogTurnResult> ReplaceDialogAsync(string dialogId, JsonNode? options = null, CancellationToken ct = default)
    {
        if (Stack.Count > 0) Stack.RemoveAt(Stack.Count - 1);
        return await BeginDialogAsync(dialogId, options, ct);
    }

    public async Task<DialogTurnResult> CancelAllDialogsAsync(CancellationToken ct = default)
    {
        while (Stack.Count > 0)
        {
            var instance = Stack[^1];
            Stack.RemoveAt(Stack.Count - 1);
            var dialog = FindDialog(instance.Id);
            if (dialog is not null) await dialog.EndAsync(this, instance, cancelled: true, ct);
        }
        return new DialogTurnResult(DialogTurnStatus.Cancelled);
    }

    private Dialog? FindDialog(string id) => Dialogs.Find(id) ?? Parent?.FindDialog(id);
}
