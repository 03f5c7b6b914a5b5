using System.Text.Json.Nodes;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Home;

/// <summary>Answers for an area that this version does not offer yet, and ends.</summary>
public sealed class UnavailableAreaDialog(string id, string title, string whatItWillDo) : Dialog(id)
{
    public override async Task<DialogTurnResult> BeginAsync(DialogContext dc, JsonNode? options, CancellationToken ct)
    {
        await dc.Turn.SendAsync(new UiMessage(
            $"{title} is not available yet.",
            [new UiHeading(title), new UiText($"{title} is not available in this version of PartnerBot yet. When it is, it will let you {whatItWillDo}."), ],
            [new UiAction("Back to menu", CardVerbs.Menu)]), ct);
        return await dc.EndDialogAsync(null, ct);
    }
}
