using System.Collections.Concurrent;

namespace PartnerBot.Bot.Conversations;

/// <summary>
/// Runs turns off the request thread for channels that answer the HTTP call before the bot replies (Direct Line).
/// Failures are logged and answered with an apology in the conversation, never thrown at the channel.
/// </summary>
public sealed class TurnDispatcher(IChatBot bot, ILogger<TurnDispatcher> logger, IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    /// <summary>Turns started and not yet finished (tests and shutdown wait on these).</summary>
    public int Pending => _running.Count;

    public void Dispatch(IncomingTurn turn, ITurnResponder responder)
    {
        var task = Task.Run(() => RunAsync(turn, responder, lifetime.ApplicationStopping));
        _running.TryAdd(task, 0);
        task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    public Task WhenIdleAsync() => Task.WhenAll(_running.Keys);

    private async Task RunAsync(IncomingTurn turn, ITurnResponder responder, CancellationToken ct)
    {
        try
        {
            await bot.OnTurnAsync(turn, responder, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            logger.LogInformation("Turn {ActivityId} in {ConversationKey} stopped by shutdown", turn.ActivityId, turn.ConversationKey);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Turn {ActivityId} in {ConversationKey} failed", turn.ActivityId, turn.ConversationKey);
            try
            {
                await responder.SendAsync(Cards.Model.UiMessage.Text("Sorry, something went wrong on our side and your last action was not processed. Please try it again."), ct);
            }
            catch (Exception apologyFailure) when (apologyFailure is not OperationCanceledException)
            {
                logger.LogWarning(apologyFailure, "Could not tell {ConversationKey} that a turn failed", turn.ConversationKey);
            }
        }
    }
}
