using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace PartnerBot.Bot.Dialogs;

/// <summary>
/// A dialog whose state is a typed record (with the dialog's <c>Phase</c> enum), stored as JSON in its
/// <see cref="DialogInstance"/> through a source-generated <see cref="JsonTypeInfo{T}"/>. The state is read once per
/// turn and written back when the turn's changes are saved; a stored state of another shape (an older version of
/// the dialog) cannot be read, and the conversation root drops it.
/// </summary>
/// <param name="stateJson">
/// The state's type info from a context with <c>UnmappedMemberHandling = Disallow</c> and string enums, so an older
/// shape fails to read instead of reading as half a state.
/// </param>
public abstract class Dialog<TState>(string id, JsonTypeInfo<TState> stateJson) : Dialog(id) where TState : class, new()
{
    /// <summary>The state of this dialog's open instance in <paramref name="dc"/> (a new one when it has none yet).</summary>
    protected TState State(DialogContext dc)
    {
        var instance = dc.ActiveDialog is { } active && active.Id == Id
            ? active
            : throw new InvalidOperationException($"Dialog '{Id}' is not the open dialog.");
        if (instance.Typed is TState typed) return typed;
        typed = instance.State.Count == 0 ? new TState() : instance.State.Deserialize(stateJson) ?? new TState();
        instance.Typed = typed;
        return typed;
    }

    public override bool CanRead(DialogInstance instance)
    {
        if (instance.Typed is TState || instance.State.Count == 0) return true;
        try
        {
            instance.Typed = instance.State.Deserialize(stateJson);
            return instance.Typed is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public override void WriteState(DialogInstance instance)
    {
        if (instance.Typed is TState typed) instance.State = JsonSerializer.SerializeToNode(typed, stateJson)!.AsObject();
    }
}
