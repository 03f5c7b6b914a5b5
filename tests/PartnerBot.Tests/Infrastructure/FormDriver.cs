using System.Text.Json.Nodes;

namespace PartnerBot.Tests.Infrastructure;

/// <summary>Fills form cards over Direct Line the way Web Chat submits them: the action's data plus every input's value.</summary>
public static class FormDriver
{
    public static bool IsFormCard(JsonObject card) =>
        DirectLineTestClient.Actions(card).Any(a => ((string?)a["data"]?["verb"])?.StartsWith("form.", StringComparison.Ordinal) == true);

    public static int StepIndex(JsonObject card) =>
        DirectLineTestClient.Actions(card).Select(a => a["data"]?["step"]).OfType<JsonValue>().Select(v => (int)v).First();

    public static IEnumerable<JsonObject> Inputs(JsonNode? node) => node switch
    {
        JsonObject o when ((string?)o["type"])?.StartsWith("Input.", StringComparison.Ordinal) == true => [o],
        JsonObject o => o.SelectMany(p => Inputs(p.Value)),
        JsonArray a => a.SelectMany(Inputs),
        _ => [],
    };

    public static Task<JsonObject> WaitForFormAsync(DirectLineTestClient chat) => chat.WaitForCardAsync(IsFormCard);

    /// <summary>Presses Next (or Submit on the last step) with <paramref name="values"/> over what the card shows.</summary>
    public static async Task<string> SubmitStepAsync(DirectLineTestClient chat, JsonObject card, IReadOnlyDictionary<string, string> values)
    {
        var action = DirectLineTestClient.Actions(card).FirstOrDefault(a => (string?)a["data"]?["verb"] == "form.next")
                     ?? DirectLineTestClient.Actions(card).First(a => (string?)a["data"]?["verb"] == "form.submit");
        var submitted = action["data"]!.DeepClone().AsObject();
        foreach (var input in Inputs(card))
        {
            var id = (string)input["id"]!;
            submitted[id] = values.TryGetValue(id, out var value) ? value : input["value"]?.ToString();
        }
        await chat.SubmitAsync(submitted);
        return (string)submitted["verb"]!;
    }

    /// <summary>Fills each step from <paramref name="form"/> on until something other than a form step arrives.</summary>
    public static async Task<JsonObject> FillRemainingStepsAsync(DirectLineTestClient chat, JsonObject form, IReadOnlyDictionary<string, string> values)
    {
        for (var guard = 0; guard < 20; guard++)
        {
            await SubmitStepAsync(chat, form, values);
            var next = await chat.WaitForCardAsync();
            if (!IsFormCard(next)) return next;
            if (StepIndex(next) == StepIndex(form))
                throw new InvalidOperationException("The step came back with errors: " + DirectLineTestClient.AllText(DirectLineTestClient.Card(next)));
            form = next;
        }
        throw new InvalidOperationException("The form never ended.");
    }
}
