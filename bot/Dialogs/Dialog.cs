using System.Text.Json.Nodes;

namespace PartnerBot.Bot.Dialogs;

public enum DialogTurnStatus
{
    /// <summary>The dialog did not take the input (the conversation root answers it instead).</summary>
    Empty,

    /// <summary>The dialog stays open for the next input.</summary>
    Waiting,

    /// <summary>The dialog ended.</summary>
    Complete,

    Cancelled,
}

public sealed record DialogTurnResult(DialogTurnStatus Status)
{
    public static DialogTurnResult Waiting { get; } = new(DialogTurnStatus.Waiting);
    public static DialogTurnResult Empty { get; } = new(DialogTurnStatus.Empty);
}

/// <summary>
/// A unit of conversation with its own persisted state. A dialog is started by the routes its feature registers
/// (<see cref="Conversations.ChatRouteBuilder"/>); while it is open it also receives the typed text and the form
/// verbs (<c>form.*</c>) of the forms it shows, which are not in the route table.
/// </summary>
public abstract class Dialog(string id)
{
    public string Id { get; } = id;

    /// <summary>Typed text that is no command, or a card verb the route table does not know, while this dialog is open.</summary>
    public virtual Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct) => Task.FromResult(DialogTurnResult.Empty);

    /// <summary>
    /// Whether the stored state of <paramref name="instance"/> can still be read by this version of the dialog (older
    /// shapes are dropped); a dialog with a typed state keeps what it read, so the turn does not read it again.
    /// </summary>
    public virtual bool CanRead(DialogInstance instance) => true;

    /// <summary>Writes the typed state this turn worked on back into <paramref name="instance"/> before it is saved.</summary>
    public virtual void WriteState(DialogInstance instance) { }
}

/// <summary>One entry of a dialog stack: which dialog, and its state as stored.</summary>
public sealed class DialogInstance
{
    public string Id { get; set; } = "";
    public JsonObject State { get; set; } = [];

    /// <summary>The typed state read during this turn (see <see cref="Dialog{TState}"/>); never stored itself.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal object? Typed { get; set; }
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
