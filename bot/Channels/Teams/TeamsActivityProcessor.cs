using System.Text.Json.Nodes;
using Microsoft.Extensions.Caching.Memory;
using PartnerBot.Bot.Channels.BotFramework;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Hosting;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>The HTTP answer to one activity: status and, for invokes, the body.</summary>
public sealed record ActivityResult(int Status, JsonNode? Body = null)
{
    public static readonly ActivityResult Ok = new(200);
}

/// <summary>
/// Runs one authenticated activity: maps it to a turn, lets the bot answer, and builds the HTTP response.
/// Turns run before the HTTP answer is written (invokes need it; messages are answered the same way for
/// consistency), so the dialog engine must keep turns short. A redelivered activity id runs once: a retry of an
/// invoke gets the first delivery's response.
/// </summary>
internal sealed class TeamsActivityProcessor(IServiceProvider services, ConnectorClient connector, TeamsMessageFactory messages,
    IHostApplicationLifetime lifetime, InvokeBudget budget, TimeProvider time, ILogger<TeamsActivityProcessor> log) : IDisposable
{
    internal const string StillWorking = "Working on it. The answer will appear in the chat.";

    private static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(30);
    // The latest 20,000 activities of the last 30 minutes. Least recently used goes first, at no cost per insert: a
    // MemoryCache with a size limit sorted all its entries on every thousandth insert at these rates.
    private readonly BoundedCache<string, (Task<ActivityResult> Run, DateTimeOffset Until)> _seen = new(20_000, StringComparer.Ordinal);
    private readonly MemoryCache _userCards = new(new MemoryCacheOptions { SizeLimit = 5_000 });

    public Task<ActivityResult> ProcessAsync(Activity activity, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(activity.Id)) return RunAsync(activity, ct);
        var key = $"{activity.ChannelId}|{activity.Conversation?.Id}|{activity.Id}";
        var now = time.GetUtcNow();
        // Not bound to the first request's cancellation: a retry must still get the result.
        var (run, _) = _seen.GetOrAdd(key, _ => (RunAsync(activity, lifetime.ApplicationStopping), now + RememberFor),
            out var created, reusable: seen => seen.Until > now);
        if (!created) log.LogInformation("Activity {ActivityId} was redelivered; answering from the first delivery", activity.Id);
        return created || activity.Type == ActivityTypes.Invoke ? run.WaitAsync(ct) : Task.FromResult(ActivityResult.Ok);
    }

    private async Task<ActivityResult> RunAsync(Activity activity, CancellationToken ct)
    {
        await Task.Yield();
        switch (activity.Type)
        {
            case ActivityTypes.Message:
                await RunTurnAsync(activity, TeamsTurnMapper.FromMessage(activity), null, ct);
                return ActivityResult.Ok;
            case ActivityTypes.ConversationUpdate when TeamsTurnMapper.IsBotAdded(activity):
                await RunTurnAsync(activity, TeamsTurnMapper.ConversationStart(activity), null, ct);
                return ActivityResult.Ok;
            case ActivityTypes.Invoke:
                return await InvokeAsync(activity, ct);
            default:
                // conversationUpdate for other members, typing, reactions, installationUpdate, events: acknowledged only.
                return ActivityResult.Ok;
        }
    }

    private async Task<ActivityResult> InvokeAsync(Activity activity, CancellationToken ct)
    {
        switch (activity.Name)
        {
            case TeamsRoutes.AdaptiveCardAction:
                return await ExecuteAsync(activity, ct);
            case TeamsRoutes.TaskFetch or TeamsRoutes.TaskSubmit:
                return await TaskModuleAsync(activity, ct);
            case null or "":
                await RunTurnAsync(activity, TeamsTurnMapper.FromNamelessInvoke(activity), null, ct);
                return ActivityResult.Ok;
            default:
                log.LogInformation("Invoke {Name} is not handled", activity.Name);
                return new ActivityResult(501);
        }
    }

    private async Task<ActivityResult> ExecuteAsync(Activity activity, CancellationToken ct)
    {
        var userCardKey = $"{activity.Conversation?.Id}|{activity.ReplyToId}|{activity.From?.Id}";
        if (TeamsTurnMapper.IsAutomaticRefresh(activity))
        {
            // Teams asks for the per-user view of a card; we answer with the card this user last got, or leave it as is.
            return activity.ReplyToId is not null && _userCards.TryGetValue(userCardKey, out JsonObject? remembered)
                ? ExecuteCard((JsonObject)remembered!.DeepClone())
                : ExecuteMessage("");
        }

        var capture = new InvokeCapture(activity.ReplyToId, captureText: false);
        var (failure, late) = await RunInvokeTurnAsync(activity, TeamsTurnMapper.FromExecute(activity), capture, ct);
        if (failure is not null)
            return new ActivityResult(200, new JsonObject
            {
                ["statusCode"] = 500,
                ["type"] = TeamsRoutes.ErrorResponseType,
                ["value"] = new JsonObject { ["code"] = "InternalError", ["message"] = failure },
            });
        if (capture.RenderedCard is { } card)
        {
            AddRefreshForUser(card, activity.From?.Id);
            if (activity.ReplyToId is not null)
                _userCards.Set(userCardKey, (JsonObject)card.DeepClone(), new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromDays(1) });
            return ExecuteCard(card);
        }
        return ExecuteMessage(late ? StillWorking : capture.FirstText?.Summary ?? "");
    }

    private async Task<ActivityResult> TaskModuleAsync(Activity activity, CancellationToken ct)
    {
        var capture = new InvokeCapture(null, captureText: true);
        var (failure, late) = await RunInvokeTurnAsync(activity, TeamsTurnMapper.FromTask(activity), capture, ct);
        if (failure is not null) return TaskMessage(failure);
        if (capture.RenderedCard is { } card)
            return new ActivityResult(200, new JsonObject
            {
                ["task"] = new JsonObject
                {
                    ["type"] = "continue",
                    ["value"] = new JsonObject
                    {
                        ["title"] = TitleOf(capture.Card!),
                        ["card"] = new JsonObject { ["contentType"] = TeamsRoutes.AdaptiveCardContentType, ["content"] = card },
                    },
                },
            });
        if (capture.FirstText is { } text) return TaskMessage(text.Summary);
        if (late) return TaskMessage(StillWorking);
        // task/submit with nothing to show closes the dialog; task/fetch must show something.
        return activity.Name == TeamsRoutes.TaskSubmit ? ActivityResult.Ok : TaskMessage("Done.");
    }

    /// <summary>
    /// Runs an invoke's turn within the time Teams waits for the answer. When the budget runs out the invoke is answered
    /// with what the turn produced so far; the turn goes on and its later messages go through the Connector.
    /// </summary>
    private async Task<(string? Failure, bool Late)> RunInvokeTurnAsync(Activity activity, IncomingTurn turn, InvokeCapture capture, CancellationToken ct)
    {
        var run = RunTurnAsync(activity, turn, capture, ct);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var first = await Task.WhenAny(run, Task.Delay(budget.Value, time, timer.Token));
        if (first == run)
        {
            await timer.CancelAsync(); // stops the budget timer
            return (await run, false);
        }
        capture.Seal();
        log.LogWarning("Invoke {Name} {ActivityId} ran past {Budget}; answered early, the turn continues", activity.Name, activity.Id, budget.Value);
        return (null, true);
    }

    /// <summary>Runs the bot; returns a user-facing failure text when the turn failed (already logged).</summary>
    private async Task<string?> RunTurnAsync(Activity activity, IncomingTurn turn, InvokeCapture? capture, CancellationToken ct)
    {
        var responder = new TeamsTurnResponder(activity, connector, messages, capture);
        var bot = services.GetRequiredService<IChatBot>();
        try
        {
            await bot.OnTurnAsync(turn, responder, ct);
            return null;
        }
        catch (ConnectorException e)
        {
            log.LogWarning("Reply to {Conversation} failed: {Status} {Code}", turn.ConversationKey, e.Status, e.Code);
            return "The reply could not be delivered. Please try again.";
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            log.LogError(e, "Turn {ActivityId} in {Conversation} failed", turn.ActivityId, turn.ConversationKey);
            if (activity.Type == ActivityTypes.Message || activity.Type == ActivityTypes.ConversationUpdate)
                await TryApologizeAsync(responder, ct);
            return "Something went wrong. Please try again.";
        }
    }

    private async Task TryApologizeAsync(ITurnResponder responder, CancellationToken ct)
    {
        try { await responder.SendAsync(UiMessage.Text("Sorry, something went wrong. Please try again."), ct); }
        catch (ConnectorException e) { log.LogWarning("Could not send the apology: {Status}", e.Status); }
    }

    private static void AddRefreshForUser(JsonObject card, string? userId)
    {
        if (card.ContainsKey("refresh") || string.IsNullOrEmpty(userId)) return;
        card["refresh"] = new JsonObject
        {
            ["action"] = new JsonObject
            {
                ["type"] = "Action.Execute",
                ["verb"] = TeamsRoutes.RefreshVerb,
                ["data"] = new JsonObject { ["verb"] = TeamsRoutes.RefreshVerb },
            },
            ["userIds"] = new JsonArray(userId),
        };
    }

    private static string TitleOf(UiMessage message) =>
        message.Body.OfType<UiHeading>().FirstOrDefault()?.Text is { Length: > 0 } heading ? heading : message.Summary;

    private static ActivityResult ExecuteCard(JsonObject card) => new(200, new JsonObject
    {
        ["statusCode"] = 200, ["type"] = TeamsRoutes.AdaptiveCardResponseType, ["value"] = card,
    });

    private static ActivityResult ExecuteMessage(string text) => new(200, new JsonObject
    {
        ["statusCode"] = 200, ["type"] = TeamsRoutes.MessageResponseType, ["value"] = text,
    });

    private static ActivityResult TaskMessage(string text) => new(200, new JsonObject
    {
        ["task"] = new JsonObject { ["type"] = "message", ["value"] = text },
    });

    public void Dispose()
    {
        // Turns still running after shutdown finish on their own; their caches go now.
        _userCards.Dispose();
    }
}
