using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bot.Features.Home;

/// <summary>Commands that work from anywhere; whatever dialog was open has been cancelled when they run.</summary>
public sealed class HomeCommands(MainMenu menu)
{
    public async Task<DialogTurnResult> HelpAsync(ChatRouteContext route, CancellationToken ct)
    {
        await route.Turn.SendAsync(menu.Help(route.Turn.User), ct);
        return DialogTurnResult.Waiting;
    }

    public async Task<DialogTurnResult> MenuAsync(ChatRouteContext route, CancellationToken ct)
    {
        await route.Turn.SendAsync(menu.Build(), ct);
        return DialogTurnResult.Waiting;
    }

    public async Task<DialogTurnResult> CancelAsync(ChatRouteContext route, CancellationToken ct)
    {
        await route.Turn.SendAsync(menu.Build(route.Interrupted
            ? "Cancelled. What would you like to do next?"
            : "There was nothing to cancel. What would you like to do?"), ct);
        return DialogTurnResult.Waiting;
    }
}
