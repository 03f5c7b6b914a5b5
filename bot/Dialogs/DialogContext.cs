namespace PartnerBot.Bot.Dialogs;

/// <summary>
/// Drives the dialog stack of one conversation for one turn. The stack is a plain list persisted with the
/// conversation's state, so a turn that dies half-way leaves the last saved stack untouched.
/// </summary>
public sealed class DialogContext(DialogSet dialogs, TurnContext turn, List<DialogInstance> stack)
{
    public DialogSet Dialogs { get; } = dialogs;
    public TurnContext Turn { get; } = turn;
    public List<DialogInstance> Stack { get; } = stack;

    /// <summary>The dialog on top of the stack (the last element).</summary>
    public DialogInstance? ActiveDialog => Stack.Count == 0 ? null : Stack[^1];

    /// <summary>Opens a new instance of <paramref name="dialogId"/>, with empty state, on top of the stack.</summary>
    public DialogInstance Open(string dialogId)
    {
        if (!Dialogs.Contains(dialogId)) throw new InvalidOperationException($"Unknown dialog '{dialogId}'.");
        var instance = new DialogInstance { Id = dialogId };
        Stack.Add(instance);
        return instance;
    }

    /// <summary>Hands the turn to the active dialog; <see cref="DialogTurnStatus.Empty"/> when there is none or it did not take it.</summary>
    public async Task<DialogTurnResult> ContinueDialogAsync(CancellationToken ct = default)
    {
        var active = ActiveDialog;
        if (active is null) return DialogTurnResult.Empty;
        var dialog = Dialogs.Find(active.Id);
        if (dialog is null)
        {
            // A dialog removed from the product since the state was saved: drop it rather than fail every turn.
            Stack.RemoveAt(Stack.Count - 1);
            return DialogTurnResult.Empty;
        }
        return await dialog.ContinueAsync(this, ct);
    }

    /// <summary>Ends the active dialog.</summary>
    public Task<DialogTurnResult> EndDialogAsync(CancellationToken ct = default)
    {
        if (Stack.Count > 0) Stack.RemoveAt(Stack.Count - 1);
        return Task.FromResult(new DialogTurnResult(DialogTurnStatus.Complete));
    }

    /// <summary>Ends every open dialog (interruptions, <c>cancel</c>).</summary>
    public DialogTurnResult CancelAllDialogs()
    {
        Stack.Clear();
        return new DialogTurnResult(DialogTurnStatus.Cancelled);
    }
}
