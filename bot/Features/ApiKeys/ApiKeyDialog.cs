using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Identity;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Bot.Hosting;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.ApiKeys;

/// <summary>
/// One API key action per turn (see <see cref="ApiKeyRoutes"/>). Every button carries the key it acts on, so a
/// button on an older card works the same; the dialog keeps no state between turns.
/// </summary>
public sealed class ApiKeyDialog(ApiKeyStore keys, IOptions<ChatOptions> chat, ILogger<ApiKeyDialog> logger) : Dialog(DialogId)
{
    public const string DialogId = "apikey";

    /// <summary><c>api key</c>, <c>api key create NAME</c>, <c>api key revoke ID|NAME</c>; the menu button lists the keys.</summary>
    public async Task<DialogTurnResult> StartAsync(ChatRouteContext route, CancellationToken ct)
    {
        var turn = route.Turn;
        var (command, rest) = Subcommand(route.Arguments);
        switch (command)
        {
            case "" or "list" or "show":
                await ShowAsync(turn, null, ct);
                break;
            case "create" or "new" or "add":
                await CreateKeyAsync(turn, rest, ct);
                break;
            case "revoke" or "delete" or "remove" when rest.Length > 0:
                await ConfirmRevokeKeyAsync(turn, rest, ct);
                break;
            case "revoke" or "delete" or "remove":
                await turn.SendAsync(ApiKeyCards.Usage("Which key? Give its id or name, or use the Revoke button in **api keys**."), ct);
                break;
            default:
                await turn.SendAsync(ApiKeyCards.Usage($"I don't know \"api key {UiMarkdown.Escape(command, 60)}\"."), ct);
                break;
        }
        return await route.Dialog.EndDialogAsync(ct);
    }

    /// <summary>The list card's Create button, with the name typed into its field.</summary>
    public async Task<DialogTurnResult> CreateAsync(ChatRouteContext route, CancellationToken ct)
    {
        await CreateKeyAsync(route.Turn, (string?)(route.Data[ApiKeyCards.NameInputId] as JsonValue), ct);
        return await route.Dialog.EndDialogAsync(ct);
    }

    /// <summary>A key's Revoke button: asks first.</summary>
    public async Task<DialogTurnResult> ConfirmRevokeAsync(ChatRouteContext route, CancellationToken ct)
    {
        await ConfirmRevokeKeyAsync(route.Turn, KeyIdOf(route), ct);
        return await route.Dialog.EndDialogAsync(ct);
    }

    /// <summary>The confirmation's Revoke button.</summary>
    public async Task<DialogTurnResult> RevokeAsync(ChatRouteContext route, CancellationToken ct)
    {
        var turn = route.Turn;
        var keyId = KeyIdOf(route);
        var revoked = await keys.RevokeAsync(turn.User.Id, keyId, ct);
        if (revoked is null)
        {
            await turn.SendAsync(ApiKeyCards.NotYours(keyId), ct);
        }
        else
        {
            logger.LogInformation("API key {KeyId} revoked from the chat by {UserId}", revoked.KeyId, turn.User.Id);
            await ShowAsync(turn, ApiKeyCards.Revoked(revoked), ct);
        }
        return await route.Dialog.EndDialogAsync(ct);
    }

    private async Task ShowAsync(TurnContext turn, string? notice, CancellationToken ct) =>
        await turn.SendAsync(ApiKeyCards.List(await keys.ListAsync(turn.User.Id, ct), notice), ct);

    private async Task CreateKeyAsync(TurnContext turn, string? name, CancellationToken ct)
    {
        if (!turn.Responder.ShowsSecretsPrivately)
        {
            await turn.SendAsync(ApiKeyCards.NotHere(), ct);
            return;
        }
        CreatedApiKey created;
        try
        {
            // Chat keys never carry the admin role, whoever asks: admin keys come only from the command line.
            created = await keys.CreateAsync(turn.User.Id, admin: false, name, turn.User.Email, ct);
        }
        catch (ApiKeyLimitException)
        {
            await turn.SendAsync(ApiKeyCards.LimitReached(), ct);
            return;
        }
        logger.LogInformation("API key {KeyId} created from the chat for {UserId}", created.Record.KeyId, turn.User.Id);
        await turn.SendAsync(ApiKeyCards.Created(created, chat.Value.PublicBaseUrl), ct);
        await turn.SendAsync(ApiKeyCards.AfterCreated(), ct);
    }

    private async Task ConfirmRevokeKeyAsync(TurnContext turn, string reference, CancellationToken ct)
    {
        var key = await FindOwnKeyAsync(turn.User.Id, reference, ct);
        await turn.SendAsync(key is null ? ApiKeyCards.NotYours(reference) : ApiKeyCards.ConfirmRevoke(key), ct);
    }

    /// <summary>One of the user's keys by id, or by name when exactly one key has it.</summary>
    private async Task<ApiKeySummary?> FindOwnKeyAsync(string userId, string reference, CancellationToken ct)
    {
        var text = reference.Trim();
        var own = await keys.ListAsync(userId, ct);
        var byId = own.FirstOrDefault(k => string.Equals(k.KeyId, text, StringComparison.OrdinalIgnoreCase));
        if (byId is not null) return byId;
        var byName = own.Where(k => string.Equals(k.Name, text, StringComparison.OrdinalIgnoreCase)).ToList();
        return byName.Count == 1 ? byName[0] : null;
    }

    private static string KeyIdOf(ChatRouteContext route) => (string?)(route.Data[ApiKeyCards.KeyIdKey] as JsonValue) ?? "";

    /// <summary>"key create laptop" → ("create", "laptop"): "api key …" arrives with "key" as its first word.</summary>
    internal static (string Command, string Remainder) Subcommand(string arguments)
    {
        var words = arguments.Trim();
        foreach (var filler in new[] { "keys", "key" })
            if (words.Equals(filler, StringComparison.OrdinalIgnoreCase)) words = "";
            else if (words.StartsWith(filler + " ", StringComparison.OrdinalIgnoreCase)) words = words[(filler.Length + 1)..].TrimStart();
        var space = words.IndexOf(' ');
        return space < 0 ? (words.ToLowerInvariant(), "") : (words[..space].ToLowerInvariant(), words[(space + 1)..].Trim());
    }
}
