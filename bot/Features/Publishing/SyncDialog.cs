using System.Text.Json.Nodes;
using PartnerBot.Api.Publishing;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Publishing;

/// <summary><c>sync</c>: syncs the partner's repository now; <c>sync platform</c> (admins): syncs the platform repository now.</summary>
public sealed class SyncDialog(ModulePublisher publisher, Microsoft.Extensions.Options.IOptions<GitHubOptions> options) : Dialog(DialogId)
{
    public const string DialogId = "sync";

    public async Task<DialogTurnResult> StartAsync(ChatRouteContext route, CancellationToken ct)
    {
        var turn = route.Turn;
        var dc = route.Dialog;
        var platform = string.Equals(route.Arguments, "platform", StringComparison.OrdinalIgnoreCase);
        try
        {
            if (platform) await SyncPlatformAsync(turn, ct);
            else await SyncOwnAsync(turn, ct);
        }
        catch (GitHubFailure e)
        {
            await turn.SendAsync(PublishDialog.SyncFailureCard(e), ct);
        }
        catch (NotConnectedException e)
        {
            await turn.SendAsync(new UiMessage(e.Message, [new UiText(e.Message)], [new UiAction("GitHub settings", PublishingRoutes.GitHub)]), ct);
        }
        return await dc.EndDialogAsync(ct);
    }

    private async Task SyncPlatformAsync(TurnContext turn, CancellationToken ct)
    {
        if (!turn.User.IsAdmin)
        {
            await turn.SendTextAsync("Only admins can sync the platform modules. Type **sync** to sync your own repository.", ct);
            return;
        }
        if (!options.Value.PlatformSyncConfigured)
        {
            await turn.SendTextAsync("The platform repository is not configured: set **GitHub:PlatformRepository** and **GitHub:PlatformToken**.", ct);
            return;
        }
        var result = await publisher.SyncPlatformAsync(ct);
        await turn.SendTextAsync(Describe(result!, "platform modules"), ct);
    }

    private async Task SyncOwnAsync(TurnContext turn, CancellationToken ct)
    {
        var result = await publisher.SyncPartnerAsync(turn.User.Id, needSnapshot: false, ct);
        await turn.SendAsync(new UiMessage("Sync done", [new UiText(Describe(result, "your modules"))],
            [new UiAction("Publish modules", PublishingRoutes.Publish)]), ct);
    }

    private static string Describe(SyncResult result, string what)
    {
        var repository = UiMarkdown.Escape(result.Repository.FullName, 200);
        if (result.Unchanged) return $"**{repository}** is unchanged since the last sync; {what} are up to date.";
        var text = $"Synced {what} from **{repository}** at `{result.Snapshot!.Sha[..Math.Min(7, result.Snapshot.Sha.Length)]}` " +
                   $"({result.Snapshot.Modules.Count(m => m.Valid)} valid module folder(s)).";
        return result.Removed.Count == 0 ? text
            : text + " Removed from the catalog because their folder is gone: " + string.Join(", ", result.Removed.Select(n => "**" + UiMarkdown.Escape(n, 100) + "**")) + ".";
    }
}
