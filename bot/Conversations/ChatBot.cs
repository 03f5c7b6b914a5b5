using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Bot.Hosting;
using PartnerBot.Bot.Hosting.Telemetry;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Conversations;

/// <summary>
/// The root of every conversation: resolves the user, loads the dialog stack, dispatches the turn through the route
/// table (a command or a verb of another feature interrupts the open dialog; typed text and form verbs continue it),
/// and saves the stack back.
/// </summary>
public sealed class ChatBot(
    IEnumerable<Dialog> dialogs,
    ChatRouteTable routes,
    MainMenu menu,
    ConversationStateStore states,
    UserDirectory users,
    IOptions<ChatOptions> chatOptions,
    IServiceProvider services,
    ILogger<ChatBot> logger,
    IEnumerable<IInputGuard> guards) : IChatBot
{
    private readonly DialogSet _dialogs = new(dialogs);
    private readonly TurnGates _gates = new();
    private readonly IReadOnlyList<IInputGuard> _guards = guards.ToList();

    public async Task OnTurnAsync(IncomingTurn turn, ITurnResponder responder, CancellationToken ct = default)
    {
        var key = ConversationStateKey.For(turn);
        using var telemetry = TurnTelemetry.Start(turn);
        // One turn at a time per dialog state in this process; the ETag check covers other processes.
        using (await _gates.EnterAsync(key.ToString(), ct))
            await RunTurnAsync(turn, key, responder, ct);
    }

    private async Task RunTurnAsync(IncomingTurn turn, ConversationStateKey key, ITurnResponder responder, CancellationToken ct)
    {
        if (_guards.Select(g => g.Inspect(turn)).FirstOrDefault(r => r is not null) is { } refusal)
        {
            TurnTelemetry.RouteChosen(TurnTelemetry.Refused);
            await RefuseAsync(turn, responder, refusal, ct);
            return;
        }
        if (ForeignOwner(turn) is { } owner)
        {
            // Someone else's form or card: nothing is loaded or saved, their dialog stays exactly as it was.
            logger.LogInformation("Input {ActivityId} in {ConversationKey} pressed a button of another member; left unchanged",
                turn.ActivityId, turn.ConversationKey);
            await responder.SendAsync(UiMessage.Text(
                $"This form belongs to {UiMarkdown.Escape(owner.Name, 100)}, so I left it as it is. To start your own, type **menu** or a command such as **deploy**."), ct);
            return;
        }

        if (!states.MaybeStored(key) && AnswersOnly(turn) && await RunFirstTurnAsync(turn, key, responder, ct)) return;

        var entered = await states.EnterAsync(key, ct);
        var saved = false;
        try
        {
            saved = await RunEnteredTurnAsync(turn, key, entered, responder, ct);
        }
        finally
        {
            if (!saved) await LeaveQuietlyAsync(turn, key, entered);
        }
    }

    /// <summary>Gives the state back unchanged; when that fails, the lease runs out on its own.</summary>
    private async Task LeaveQuietlyAsync(IncomingTurn turn, ConversationStateKey key, ConversationStateStore.Entered entered)
    {
        try
        {
            if (!await states.LeaveAsync(key, entered, CancellationToken.None))
                logger.LogWarning("Conversation {ConversationKey} was held past its lease by input {ActivityId}", turn.ConversationKey, turn.ActivityId);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Conversation {ConversationKey} could not be given back after input {ActivityId}; its lease runs out in {Lease}",
                turn.ConversationKey, turn.ActivityId, ConversationStateStore.LeaseLength);
        }
    }

    /// <summary>
    /// The first turn of a conversation this instance has not seen stored, on a route that only answers: it runs on a
    /// new state with its replies held, stores that state with one create (where a leased turn writes twice), and only
    /// then sends them. When the create finds the state there already (a turn of another instance stored it meanwhile,
    /// or it is older than this instance), or the turn failed, nothing was sent or kept: false, and the turn runs again
    /// the usual way, on the stored state with its lease, so it is answered once and in order.
    /// </summary>
    private async Task<bool> RunFirstTurnAsync(IncomingTurn turn, ConversationStateKey key, ITurnResponder responder, CancellationToken ct)
    {
        var state = new ConversationState();
        var held = new HeldReplies(responder);
        if (!await RunDialogsAsync(turn, state, held, ct)) return false;
        if (await states.TryCreateAsync(key, state, ct) is not { } created) return false;
        try
        {
            await held.ReleaseAsync(ct);
            return true;
        }
        catch
        {
            // The input is marked processed in the stored state: unmark it (by removing the state), so a redelivery runs.
            try
            {
                await states.RemoveCreatedAsync(key, created, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "The state of {ConversationKey} could not be removed after the replies to input {ActivityId} failed",
                    turn.ConversationKey, turn.ActivityId);
            }
            throw;
        }
    }

    /// <summary>
    /// Whether the turn's route only reads and sends (<see cref="ChatRoute.AnswersOnly"/>), judged as for a new
    /// conversation. A conversation start goes the leased way, so the theme it may set on the page is never held back.
    /// </summary>
    private bool AnswersOnly(IncomingTurn turn)
    {
        if (turn.Kind == TurnKind.ConversationStart) return false;
        // No route and no open dialog: the menu, with a word on what was not understood.
        return FindRoute(turn.Text?.Trim() ?? "", turn.Verb).Route is not { } route || route.AnswersOnly;
    }

    /// <summary>The turn on an entered state; true when it saved the state (which gives the lease back).</summary>
    private async Task<bool> RunEnteredTurnAsync(IncomingTurn turn, ConversationStateKey key, ConversationStateStore.Entered entered,
        ITurnResponder responder, CancellationToken ct)
    {
        var state = entered.State;
        if (state.HasProcessed(turn.ActivityId))
        {
            TurnTelemetry.RouteChosen(TurnTelemetry.Redelivered);
            logger.LogInformation("Skipped redelivered input {ActivityId} in {ConversationKey}", turn.ActivityId, turn.ConversationKey);
            return false;
        }
        if (!await RunDialogsAsync(turn, state, responder, ct)) return false;
        try
        {
            await states.SaveAsync(key, state, entered.ETag, ct);
            return true;
        }
        catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.Conflict)
        {
            // Only when this turn outlived its lease and another turn took the state meanwhile.
            logger.LogWarning("Conversation {ConversationKey} changed during input {ActivityId}; this turn's dialog changes were not kept",
                turn.ConversationKey, turn.ActivityId);
            await responder.SendAsync(UiMessage.Text("Two of your actions arrived at the same time and I kept the other one. Please repeat this one if it is still needed."), ct);
            return true;
        }
    }

    /// <summary>
    /// Runs the dialogs on <paramref name="state"/> and records the input in it; false when a dialog failed (the user
    /// was told, and the state is to be kept as it was).
    /// </summary>
    private async Task<bool> RunDialogsAsync(IncomingTurn turn, ConversationState state, ITurnResponder responder, CancellationToken ct)
    {
        var user = await users.ResolveAsync(turn.From.Channel, turn.From.UserId, turn.From.DisplayName, turn.From.Email,
            chatOptions.Value.InitialRolesFor(turn.From.Channel), ct);
        if (turn.IsGroupConversation)
            responder = new OwnedTurnResponder(responder, new UiActionOwner(ConversationStateKey.OwnerKey(turn.From), user.DisplayName));
        var context = new TurnContext(turn, responder, user, services);
        var dc = new DialogContext(_dialogs, context, state.Stack);

        try
        {
            using (TurnTelemetry.StartDialog())
                await RouteAsync(dc, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The saved stack stays as it was before this turn, so the user can simply try again.
            logger.LogError(e, "Dialog failed on input {ActivityId} in {ConversationKey}", turn.ActivityId, turn.ConversationKey);
            await responder.SendAsync(UiMessage.Text("Sorry, something went wrong on our side. Nothing you entered so far is lost: try again, or type **menu**."), ct);
            return false;
        }

        foreach (var instance in state.Stack) _dialogs.Find(instance.Id)?.WriteState(instance);
        state.MarkProcessed(turn.ActivityId);
        state.Address = responder.ConversationAddress;
        return true;
    }

    /// <summary>The other member whose button this card action is, in a shared conversation; null when it is the sender's own (or nobody's).</summary>
    private static UiActionOwner? ForeignOwner(IncomingTurn turn) =>
        turn is { IsGroupConversation: true, Kind: TurnKind.CardAction } && UiActionOwner.Read(turn.Data) is { } owner
        && owner.Key != ConversationStateKey.OwnerKey(turn.From) ? owner : null;

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
        if (turn.Input.Kind == TurnKind.ConversationStart)
        {
            TurnTelemetry.RouteChosen(TurnTelemetry.ConversationStart);
            // A page that shows another theme than the user chose (a new browser, say) follows the saved preference.
            if (turn.Data["theme"] is JsonValue shown && (string?)shown != turn.User.Theme)
                await turn.Responder.ApplyThemeAsync(turn.User.Theme, ct);
            if (dc.ActiveDialog is null) await turn.SendAsync(menu.Build(Greeting(turn.User)), ct);
            return;
        }

        var (word, arguments, route) = FindRoute(turn.Text, turn.Verb);
        // Only a dialog that goes on is read: a command, or a verb of another dialog, ends it unread.
        if (route is null || Continues(route, dc.ActiveDialog)) DropUnreadableDialog(dc);
        if (route is null)
        {
            // Typed text that is no command, and the form.* verbs of the form the open dialog shows, belong to that dialog.
            TurnTelemetry.RouteChosen(dc.ActiveDialog?.Id is { } open ? TurnTelemetry.OpenDialog + ":" + open : TurnTelemetry.Unmatched);
            var result = await dc.ContinueDialogAsync(ct);
            if (result.Status != DialogTurnStatus.Empty) return;
            TurnTelemetry.RouteChosen(TurnTelemetry.Unmatched);
            await turn.SendAsync(menu.Build(turn.Verb is null
                ? $"Sorry, I didn't understand \"{Shorten(turn.Text)}\". Pick something below, or type a command such as **deploy** (or **help** for all of them)."
                : "That button belongs to a conversation that has ended. Pick something below to start again."), ct);
            return;
        }

        TurnTelemetry.RouteChosen(route.Name);
        if (route.Role is { } role && !turn.User.IsInRole(role))
        {
            await turn.SendAsync(UiMessage.Text($"**{RouteTitle(route)}** needs the *{role}* role. Ask an admin to grant it to you."), ct);
            return;
        }

        // A verb of the open dialog continues it; a command, or a verb of another dialog, starts its dialog afresh.
        var active = dc.ActiveDialog;
        var continues = Continues(route, active);
        if (!continues)
        {
            dc.CancelAllDialogs();
            if (route.DialogId is { } dialogId) dc.Open(dialogId);
        }
        var target = route.DialogId is { } id
            ? dc.Dialogs.Find(id) ?? throw new InvalidOperationException($"{route.Feature}: no dialog '{id}' is registered for '{route.Name}'.")
            : services.GetRequiredService(route.HandlerType);
        var context = new ChatRouteContext(dc, route, word, arguments, turn.Input.Data?.DeepClone().AsObject() ?? [], !continues,
            interrupted: !continues && active is not null);
        await route.Bind(target)(context, ct);
    }

    /// <summary>The route of typed text (its first word is the command) or of a card verb, with the command word and its arguments.</summary>
    private (string Word, string Arguments, ChatRoute? Route) FindRoute(string text, string? verb)
    {
        if (verb is not null) return (verb, "", routes.FindVerb(verb));
        var (word, arguments) = SplitCommand(text);
        return (word, arguments, routes.FindCommand(word));
    }

    private static bool Continues(ChatRoute route, DialogInstance? active) =>
        route.Kind == RouteKind.Verb && route.DialogId is not null && active?.Id == route.DialogId;

    /// <summary>State saved by an older version of a dialog is dropped: the user starts again from the menu.</summary>
    private void DropUnreadableDialog(DialogContext dc)
    {
        if (dc.ActiveDialog is not { } active) return;
        var dialog = dc.Dialogs.Find(active.Id);
        if (dialog is not null && dialog.CanRead(active)) return;
        logger.LogInformation("Dropped the stored state of dialog {DialogId} in {ConversationKey}: it is from an older version",
            active.Id, dc.Turn.Input.ConversationKey);
        dc.CancelAllDialogs();
    }

    /// <summary>What the user asked for, in words: the menu title of its command, or the command word.</summary>
    private string RouteTitle(ChatRoute route)
    {
        var command = route.Kind == RouteKind.Command ? route
            : routes.Commands.FirstOrDefault(c => c.DialogId == route.DialogId && c.HandlerType == route.HandlerType);
        return command?.MenuTitle ?? command?.Name ?? route.Name;
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
