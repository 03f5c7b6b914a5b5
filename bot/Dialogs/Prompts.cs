using System.Text.Json.Nodes;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Dialogs;

/// <summary>What a prompt asks, what it says when the answer does not fit, and (for choices) what it offers.</summary>
public sealed record PromptOptions(string Prompt, string? Retry = null, IReadOnlyList<PromptChoice>? Choices = null)
{
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["prompt"] = Prompt, ["retry"] = Retry };
        if (Choices is not null)
            json["choices"] = new JsonArray(Choices.Select(c => (JsonNode)new JsonObject { ["title"] = c.Title, ["value"] = c.Value }).ToArray());
        return json;
    }

    public static PromptOptions FromJson(JsonNode? node)
    {
        var json = node as JsonObject ?? [];
        var choices = (json["choices"] as JsonArray)?
            .Select(c => new PromptChoice((string)c!["title"]!, (string)c["value"]!)).ToList();
        return new PromptOptions((string?)json["prompt"] ?? "", (string?)json["retry"], choices);
    }
}

public sealed record PromptChoice(string Title, string Value);

/// <summary>Asks a question and validates the answer; re-asks until it fits.</summary>
public abstract class Prompt(string id) : Dialog(id)
{
    /// <summary>The card action verb that prompt buttons use.</summary>
    public const string AnswerVerb = "prompt.answer";

    public override async Task<DialogTurnResult> BeginAsync(DialogContext dc, JsonNode? options, CancellationToken ct)
    {
        dc.ActiveDialog!.State["options"] = options?.DeepClone();
        await dc.Turn.SendAsync(BuildPrompt(PromptOptions.FromJson(options), retry: false), ct);
        return DialogTurnResult.Waiting;
    }

    public override async Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct)
    {
        var options = PromptOptions.FromJson(dc.ActiveDialog!.State["options"]);
        var answer = Recognize(dc.Turn, options);
        if (answer is not null) return await dc.EndDialogAsync(answer, ct);
        await dc.Turn.SendAsync(BuildPrompt(options, retry: true), ct);
        return DialogTurnResult.Waiting;
    }

    protected virtual UiMessage BuildPrompt(PromptOptions options, bool retry)
    {
        var text = retry && options.Retry is not null ? options.Retry : options.Prompt;
        var actions = (options.Choices ?? [])
            .Select(c => new UiAction(c.Title, AnswerVerb, new JsonObject { ["value"] = c.Value }))
            .ToList();
        return new UiMessage(text, [new UiText(text)], actions);
    }

    /// <summary>The recognised answer, or null to re-prompt.</summary>
    protected abstract JsonNode? Recognize(TurnContext turn, PromptOptions options);
}

/// <summary>Any non-empty text.</summary>
public sealed class TextPrompt(string id, Func<string, bool>? validator = null) : Prompt(id)
{
    protected override JsonNode? Recognize(TurnContext turn, PromptOptions options)
    {
        var text = turn.Text;
        if (text.Length == 0) return null;
        return validator is null || validator(text) ? JsonValue.Create(text) : null;
    }
}

/// <summary>One of a list of choices: a button press, the choice's title or value typed, or its number.</summary>
public sealed class ChoicePrompt(string id) : Prompt(id)
{
    protected override JsonNode? Recognize(TurnContext turn, PromptOptions options)
    {
        var choices = options.Choices ?? [];
        if (turn.Verb == AnswerVerb && turn.Data["value"] is JsonValue pressed)
        {
            var value = pressed.ToString();
            return choices.Any(c => c.Value == value) ? JsonValue.Create(value) : null;
        }
        var text = turn.Text;
        if (text.Length == 0) return null;
        var match = choices.FirstOrDefault(c => string.Equals(c.Title, text, StringComparison.OrdinalIgnoreCase)
                                             || string.Equals(c.Value, text, StringComparison.OrdinalIgnoreCase));
        if (match is null && int.TryParse(text, out var number) && number >= 1 && number <= choices.Count)
            match = choices[number - 1];
        return match is null ? null : JsonValue.Create(match.Value);
    }
}

/// <summary>Yes or no.</summary>
public sealed class ConfirmPrompt(string id) : Prompt(id)
{
    private static readonly string[] Yes = ["yes", "y", "yeah", "yep", "ok", "okay", "sure", "confirm", "true"];
    private static readonly string[] No = ["no", "n", "nope", "false", "cancel"];

    protected override UiMessage BuildPrompt(PromptOptions options, bool retry) =>
        base.BuildPrompt(options with { Choices = [new PromptChoice("Yes", "yes"), new PromptChoice("No", "no")] }, retry);

    protected override JsonNode? Recognize(TurnContext turn, PromptOptions options)
    {
        var text = turn.Verb == AnswerVerb ? turn.Data["value"]?.ToString() ?? "" : turn.Text;
        text = text.Trim().TrimEnd('.', '!').ToLowerInvariant();
        if (Yes.Contains(text)) return JsonValue.Create(true);
        if (No.Contains(text)) return JsonValue.Create(false);
        return null;
    }
}
