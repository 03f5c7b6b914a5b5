using System.Text.Json.Nodes;
using PartnerBot.Api.Identity;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Home;

/// <summary>"theme light|dark": saves the preference, which the Web Chat page and generated images follow.</summary>
public sealed class ThemeDialog(UserDirectory users) : Dialog(DialogId)
{
    public const string DialogId = "theme";
    public const string SetVerb = "theme.set";

    public override async Task<DialogTurnResult> BeginAsync(DialogContext dc, JsonNode? options, CancellationToken ct)
    {
        var turn = dc.Turn;
        var requested = Requested(turn, options);
        if (requested is null)
        {
            await turn.SendAsync(new UiMessage(
                $"Your theme is {turn.User.Theme}. Pick one:",
                [new UiText($"Your theme is **{turn.User.Theme}**. Which one would you like?")],
                [new UiAction("Light", SetVerb, new JsonObject { ["theme"] = "light" }), new UiAction("Dark", SetVerb, new JsonObject { ["theme"] = "dark" })]), ct);
            return DialogTurnResult.Waiting;
        }
        return await ApplyAsync(dc, requested, ct);
    }

    public override async Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct)
    {
        var requested = Requested(dc.Turn, null);
        if (requested is not null) return await ApplyAsync(dc, requested, ct);
        await dc.Turn.SendTextAsync("Please choose **light** or **dark**.", ct);
        return DialogTurnResult.Waiting;
    }

    private async Task<DialogTurnResult> ApplyAsync(DialogContext dc, string theme, CancellationToken ct)
    {
        await users.SetThemeAsync(dc.Turn.User.Id, theme, ct);
        await dc.Turn.Responder.ApplyThemeAsync(theme, ct);
        await dc.Turn.SendTextAsync($"Done: your theme is now **{theme}**.", ct);
        return await dc.EndDialogAsync(JsonValue.Create(theme), ct);
    }

    private static string? Requested(TurnContext turn, JsonNode? options)
    {
        var candidates = new[]
        {
            (string?)(turn.Data["theme"] as JsonValue),
            (string?)(options?["arguments"] as JsonValue),
            turn.Text.StartsWith("theme", StringComparison.OrdinalIgnoreCase) ? turn.Text[5..] : turn.Text,
        };
        foreach (var candidate in candidates)
        {
            var value = candidate?.Trim().ToLowerInvariant();
            if (value is "light" or "dark") return value;
        }
        return null;
    }
}
