using System.Text.Json.Nodes;

namespace PartnerBot.Bot.Dialogs;

public enum DialogTurnStatus { Empty, Waiting, Complete, Cancelled }

public sealed record DialogTurnResult(DialogTurnStatus Status, JsonNode? Result = null)
{
    public static DialogTurnResult Waiting { get; } = new(DialogTurnStatus.Waiting);
    public static DialogTurnResult Empty { get; } = new(DialogTurnStatus.Empty);
}

/// <summary>
/// A unit of conversation with its own persisted state. The shape follows Bot Builder's dialogs: begin, continue on
/// the next input, resume when a child dialog ends.
/// </summary>
public abstract class Dialog(string id)
{
    public string Id { get; } = id;

    public abstract Task<DialogTurnResult> BeginAsync(DialogContext dc, JsonNode? options, CancellationToken ct);

    /// <summary>Called with the next input while this dialog is on top of the stack.</summary>
    public virtual Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct) => dc.EndDialogAsync(null, ct);

    /// <summary>Called when a dialog this one started has ended.</summary>
    public virtual Task<DialogTurnResult> ResumeAsync(DialogContext dc, JsonNode? result, CancellationToken ct) => dc.EndDialogAsync(result, ct);

    /// <summary>Called when the dialog is cancelled (interruptions, "cancel").</summary>
    public virtual Task EndAsync(DialogContext dc, DialogInstance instance, bool cancelled, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>One entry of a dialog stack: which dialog, and its state.</summary>
public sealed class DialogInstance
{
    public string Id { get; set; } = "";
    public JsonObject State { get; set; } = [];
}

/// <summary>The dialogs a context can start, by id.</summary>
public sealed class DialogSet
{
    private readonly Dictionary<string, Dialog> _dialogs = new(StringComparer.Ordinal);

    public DialogSet(IEnumerable<Dialog>? dialogs = null)
    {
        foreach (var dialog in dialogs ?? []) Add(dialog);
    }

    public DialogSet Add(Dialog dialog)
    {
        if (!_dialogs.TryAdd(dialog.Id, dialog))
            throw new InvalidOperationException($"A dialog with id '{dialog.Id}' is already registered.");
        return this;
    }

    public Dialog? Find(string id) => _dialogs.GetValueOrDefault(id);

    public bool Contains(string id) => _dialogs.ContainsKey(id);
}
