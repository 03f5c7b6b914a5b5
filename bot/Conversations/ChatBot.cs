using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Bot.Hosting;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Conversations;

/// <summary>
/// The root of every conversation: resolves the user, loads the dialog stack, applies global interruptions
/// ("menu", "help", "cancel", feature commands), continues the active dialog, and saves the stack back.
/// </summary>
public sealed class ChatBot(
    IEnumerable<Dialog> dialogs,
    ChatRouteTable routes,
    ConversationStateStore states,
    UserDirectory users,
    IOptions<ChatOptions> chatOptions,
    IServiceProvider services,
    ILogger<ChatBot> logger,
    IEnumerable<IInputGuard> guards) : IChatBot
{
    private readonly DialogSet _dialogs = new(dialogs);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _conversationLocks = new();
    private readonly IReadOnlyList<IInputGuard> _guards = guards.ToList();

    public async Task OnTurnAsync(IncomingTurn turn, ITurnResponder responder, CancellationToken ct = default)
    {
        // One turn at a time per conversation in this process; the ETag check covers other processes.
        var gate = _conversationLocks.GetOrAdd(turn.ConversationKey, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            await RunTurnAsync(turn, responder, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task RunTurnAsync(IncomingTurn turn, ITurnResponder responder, CancellationToken ct)
    {
        if (_guards.Select(g => g.Inspect(turn)).FirstOrDefault(r => r is not null) is { } refusal)
        {
            await RefuseAsync(turn, responder, refusal, ct);
            return;
        }

        var (state, etag) = await states.LoadAsync(turn.ConversationKey, ct);
        if (state.RecentInputs.Contains(turn.ActivityId))
        {
            logger.LogInformation("Skipped redelivered input {ActivityId} in {ConversationKey}", turn.ActivityId, turn.ConversationKey);
            return;
        }

        var user = await users.ResolveAsync(turn.From.Channel, turn.From.UserId, turn.From.DisplayName, turn.From.Email,
            chatOptions.Value.InitialRolesFor(turn.From.Channel), ct);
        var context = new TurnContext(turn, responder, user, services);
        var dc = new DialogContext(_dialogs, context, state.Stack);

        try
        {
            await RouteAsync(dc, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The saved stack stays as it was before this turn, so the user can simply try again.
            logger.LogError(e, "Dialog failed on input {ActivityId} in {ConversationKey}", turn.ActivityId, turn.ConversationKey);
            await responder.SendAsync(UiMessage.Text("Sorry, something went wrong on our side. Nothing you entered so far is lost: try again, or type **menu**."), ct);
            return;
        }

        state.RecentInputs.Add(turn.ActivityId);
        state.Address = responder.ConversationAddress;
        try
        {
            await states.SaveAsync(turn.ConversationKey, state, etag, ct);
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.Conflict)
        {
            logger.LogWarning("Conversation {ConversationKey} changed during input {ActivityId}; this turn's dialog changes were not kept",
                turn.ConversationKey, turn.ActivityId);
            await responder.SendAsync(UiMessage.Text("Two of your actions arrived at the same time and I kept the other one. Please repeat this one if it is still needed."), ct);
        }
    }

    /// <summary>A refused input never reaches the dialogs or the stored state; its stored echo is removed where possible.</summary>
    private async Task RefuseAsync(IncomingTurn turn, ITurnResponder responder, InputRefusal refusal, CancellationToken ct)
    {
        var removed = await responder.RedactInputAsync(ct);
        logger.LogWarning("Refused input {ActivityId} in {ConversationKey} from {Channel} user {UserId}: {Reason}; removed from history: {Removed}",
            turn.ActivityId, turn.ConversationKey, turn.From.Channel, turn.From.UserId, refusal.Reason, removed);
        var note = removed
            ? "I removed your message from this conversation's history."
            : "This channel does not let me delete your message: please delete it yourself.";
        await responder.SendAsync(refusal.Message with { Body = [.. refusal.Message.Body, new UiText(note, UiTextTone.Subtle)] }, ct);
    }

    private async Task RouteAsync(DialogContext dc, CancellationToken ct)
    {
        var turn = dc.Turn;
        var (command, arguments) = SplitCommand(turn.Text);

        if (turn.Input.Kind == TurnKind.ConversationStart)
        {
            // A page that shows another theme than the user chose (a new browser, say) follows the saved preference.
            if (turn.Data["theme"] is JsonValue shown && (string?)shown != turn.User.Theme)
                await turn.Responder.ApplyThemeAsync(turn.User.Theme, ct);
            if (dc.ActiveDialog is null) await turn.SendAsync(MainMenuCard.Build(Greeting(turn.User)), ct);
            return;
        }

        if (turn.Verb is null && command is "menu" or "help" or "start" or "hi" or "hello" || turn.Verb == CardVerbs.Menu)
        {
            await dc.CancelAllDialogsAsync(ct);
            await turn.SendAsync(MainMenuCard.Build(), ct);
            return;
        }

        if (turn.Verb is null && command is "cancel" or "stop" or "quit")
        {
            var hadDialog = dc.ActiveDialog is not null;
            await dc.CancelAllDialogsAsync(ct);
            await turn.SendAsync(MainMenuCard.Build(hadDialog ? "Cancelled. What would you like to do next?" : "There was nothing to cancel. What would you like to do?"), ct);
            return;
        }

        // A card verb owned by the active dialog's route continues it; any other feature verb or command starts that feature.
        var route = turn.Verb is { } verb ? routes.ForVerb(verb) : routes.ForCommand(command);
        var active = dc.ActiveDialog;
        if (route is not null && !(active is not null && active.Id == route.DialogId && turn.Verb is not null && turn.Verb != route.Verb))
        {
            if (route.RequiredRole is { } role && !turn.User.IsInRole(role))
            {
                await turn.SendAsync(UiMessage.Text($"**{route.Title}** needs the *{role}* role. Ask an admin to grant it to you."), ct);
                return;
            }
            await dc.CancelAllDialogsAsync(ct);
            var options = new JsonObject { ["arguments"] = arguments, ["verb"] = turn.Verb, ["data"] = turn.Input.Data?.DeepClone() };
            await dc.BeginDialogAsync(route.DialogId, options, ct);
            return;
        }

        if (active is not null)
        {
            await dc.ContinueDialogAsync(ct);
            return;
        }

        await turn.SendAsync(MainMenuCard.Build(turn.Verb is null
            ? $"Sorry, I didn't understand \"{Shorten(turn.Text)}\". Pick something below, or type a command such as **deploy**."
            : "That button belongs to a conversation that has ended. Pick something below to start again."), ct);
    }

    private static (string Command, string Arguments) SplitCommand(string text)
    {
        var trimmed = text.Trim().TrimStart('/');
        var space = trimmed.IndexOf(' ');
        return space < 0 ? (trimmed.ToLowerInvariant(), "") : (trimmed[..space].ToLowerInvariant(), trimmed[(space + 1)..].Trim());
    }

    private static string Greeting(PlatformUser user) =>
        $"Hi {user.DisplayName}! I can deploy modules, follow your deployments, publish your own modules from GitHub and handle billing.";

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
