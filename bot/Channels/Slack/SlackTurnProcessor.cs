using System.Text.Json.Nodes;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>Runs Slack inputs as turns of the <see cref="IChatBot"/>, each with its own Slack responder.</summary>
public sealed class SlackTurnProcessor(
    IServiceScopeFactory scopes,
    SlackWebApiClient api,
    SlackUserDirectory users,
    ILogger<SlackTurnProcessor> log)
{
    /// <summary>Processes one stored input (an event, a button click or a slash command).</summary>
    public async Task ProcessAsync(SlackInboxItem item, CancellationToken ct)
    {
        switch (item.Kind)
        {
            case SlackInboxKinds.Event:
                if (SlackTurnMapper.FromEvent(item.Payload) is { } fromEvent) await RunTurnAsync(fromEvent, null, ct);
                break;
            case SlackInboxKinds.SlashCommand:
                if (SlackTurnMapper.FromSlashCommand(new SlackSlashCommand(item.Payload)) is { } fromCommand) await RunTurnAsync(fromCommand, null, ct);
                break;
            case SlackInboxKinds.ViewClosed:
                if (SlackTurnMapper.FromViewClosed(item.Payload) is { } closed) await RunTurnAsync(closed, null, ct);
                break;
            case SlackInboxKinds.BlockActions:
                foreach (var input in SlackTurnMapper.FromBlockActions(item.Payload)) await RunTurnAsync(input, null, ct);
                break;
            default:
                log.LogWarning("Slack inbox item {Id} has an unknown kind {Kind}", item.Id, item.Kind);
                break;
        }
    }

    /// <summary>
    /// Runs one turn. Failures of the bot are logged and answered with a short apology, so a turn never fails silently.
    /// </summary>
    public async Task RunTurnAsync(SlackTurnInput input, SlackSubmissionReply? submission, CancellationToken ct)
    {
        var turn = input.Turn with { From = await users.EnrichAsync(input.Turn.From, input.Conversation.UserId, ct) };
        var responder = CreateResponder(input, submission);
        await using var scope = scopes.CreateAsyncScope();
        var bot = scope.ServiceProvider.GetRequiredService<IChatBot>();
        try
        {
            await bot.OnTurnAsync(turn, responder, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            log.LogError(e, "Slack turn {ActivityId} in {Conversation} failed", turn.ActivityId, turn.ConversationKey);
            await ApologiseAsync(responder, ct);
        }
    }

    public SlackTurnResponder CreateResponder(SlackTurnInput input, SlackSubmissionReply? submission) =>
        new(input.Conversation, api, log, input.TriggerId, input.ViewId, submission);

    private async Task ApologiseAsync(SlackTurnResponder responder, CancellationToken ct)
    {
        try
        {
            await responder.SendAsync(UiMessage.Text("Sorry, something went wrong while handling that. Please try again."), ct);
        }
        catch (Exception e) when (e is SlackApiException or HttpRequestException or InvalidOperationException)
        {
            log.LogWarning("Slack apology to {Conversation} could not be sent: {Reason}", responder.Conversation.Key, e.Message);
        }
    }
}
