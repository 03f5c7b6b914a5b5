using System.Text.Json.Nodes;
using PartnerBot.Cards.Forms;

namespace PartnerBot.Cards.Model;

/// <summary>
/// The person whose buttons a message carries, in a conversation several people share. It travels in each button's
/// data (key <see cref="DataKey"/>), so a click can be told apart from a click by someone else.
/// </summary>
/// <param name="Key">A stable key of the person (channel and channel user id).</param>
/// <param name="Name">The name shown to others who click.</param>
public sealed record UiActionOwner(string Key, string Name)
{
    public const string DataKey = "owner";

    /// <summary>The owner a clicked button's data carries, or null when it carries none.</summary>
    public static UiActionOwner? Read(JsonObject? data) =>
        data?[DataKey] is JsonObject o && Str(o, "key") is { Length: > 0 } key ? new UiActionOwner(key, Str(o, "name") ?? "someone else") : null;

    /// <summary>A copy of <paramref name="data"/> that names this owner.</summary>
    public JsonObject Stamp(JsonObject? data)
    {
        var stamped = data?.DeepClone().AsObject() ?? [];
        stamped[DataKey] = ToJson();
        return stamped;
    }

    /// <summary>The value of <see cref="DataKey"/> in a button's data.</summary>
    public JsonObject ToJson() => new() { ["key"] = Key, ["name"] = ShownName };

    /// <summary>Writes <see cref="ToJson"/> as the value of the property just named.</summary>
    public void WriteTo(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("key", Key);
        w.WriteString("name", ShownName);
        w.WriteEndObject();
    }

    private string ShownName => Name.Length <= 80 ? Name : Name[..80];

    /// <summary>
    /// The message with this owner on every button that routes back to the bot, forms included. Buttons only name
    /// their owner (<see cref="UiAction.Owner"/>); their data is not copied, the renderers write the owner into it.
    /// </summary>
    public UiMessage Stamp(UiMessage message) => message with
    {
        Body = message.Body.Select(Stamp).ToList(),
        Actions = message.Actions.Select(Stamp).ToList(),
    };

    private UiElement Stamp(UiElement element) => element switch
    {
        UiActionRow row => row with { Actions = row.Actions.Select(Stamp).ToList() },
        UiContainer container => container with { Items = container.Items.Select(Stamp).ToList() },
        UiTextInput input => input with { Submit = Stamp(input.Submit) },
        UiFormStepElement step => step with { Form = step.Form with { Owner = this } },
        _ => element,
    };

    private UiAction Stamp(UiAction action) => action.Url is not null ? action : action with { Owner = this };

    private static string? Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
