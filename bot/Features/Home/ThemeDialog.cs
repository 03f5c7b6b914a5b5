using System.Text.Json.Nodes;
using PartnerBot.Api.Identity;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Home;

/// <summary>"theme light|dark": saves the preference, which the Web Chat page and generated images follow.</summary>
public sealed class ThemeDialog(UserDirectory users) : Dialog(DialogId)
{
    public const string DialogId = "theme";

    /// <summary><c>theme</c>, <c>theme dark</c>, or just <c>dark</c> / <c>light</c>.</summary>
    public async Task<DialogTurnResult> StartAsync(ChatRouteContext route, CancellationToken ct)
    {
        var turn = route.Turn;
        var requested = Parse(route.Arguments) ?? Parse(route.Name) ?? Parse((string?)(route.Data["theme"] as JsonValue));
        if (requested is not null) return await ApplyAsync(route.Dialog, requested, ct);
        await turn.SendAsync(new UiMessage(
            $"Your theme is {turn.User.Theme}. Pick one:",
            [new UiText($"Your theme is **{turn.User.Theme}**. Which one would you like?")],
            [new UiAction("Light", HomeRoutes.SetTheme, new JsonObject { ["theme"] = "light" }), new UiAction("Dark", HomeRoutes.SetTheme, new JsonObject { ["theme"] = "dark" })]), ct);
        return DialogTurnResult.Waiting;
    }

    public async Task<DialogTurnResult> SetAsync(ChatRouteContext route, CancellationToken ct)
    {
        if (Parse((string?)(route.Data["theme"] as JsonValue)) is { } theme) return await ApplyAsync(route.Dialog, theme, ct);
        return await StartAsync(route, ct);
    }

    public override async Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct)
    {
        if (dc.Turn.Verb is not null) return DialogTurnResult.Empty;
        if (Parse(dc.Turn.Text) is { } requested) return await ApplyAsync(dc, requested, ct);
        await dc.Turn.SendTextAsync("Please choose **light** or **dark**.", ct);
        return DialogTurnResult.Waiting;
    }

    private async Task<DialogTurnResult> ApplyAsync(DialogContext dc, string theme, CancellationToken ct)
    {
        await users.SetThemeAsync(dc.Turn.User.Id, theme, ct);
        await dc.Turn.Responder.ApplyThemeAsync(theme, ct);
        await dc.Turn.SendTextAsync($"Done: your theme is now **{theme}**.", ct);
        return await dc.EndDialogAsync(ct);
    }

    private static string? Parse(string? text)
    {
        var value = text?.Trim().ToLowerInvariant();
        return value is "light" or "dark" ? value : null;
    }
}
