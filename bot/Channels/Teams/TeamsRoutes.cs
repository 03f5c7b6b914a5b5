namespace PartnerBot.Bot.Channels.Teams;

/// <summary>Everything the Teams channel answers to, in one table.</summary>
public static class TeamsRoutes
{
    /// <summary>HTTP endpoint for Bot Framework activities (Teams and any Azure Bot Service channel).</summary>
    public const string Messages = "/api/messages";

    /// <summary>Activity bodies above this size are refused with 413: the Bot Framework limit every chat endpoint applies.</summary>
    public const int MaxActivityBytes = Hosting.JsonRequestBody.MaxActivityBytes;

    // Invoke names handled; any other named invoke gets 501 as in the Bot Framework SDKs.
    public const string AdaptiveCardAction = "adaptiveCard/action";
    public const string TaskFetch = "task/fetch";
    public const string TaskSubmit = "task/submit";

    /// <summary>The verb of the card <c>refresh</c> action the channel adds to per-user cards; answered by the channel itself.</summary>
    public const string RefreshVerb = "refresh";

    // Invoke response types (PROTOCOLS 1.3).
    public const string AdaptiveCardResponseType = "application/vnd.microsoft.card.adaptive";
    public const string MessageResponseType = "application/vnd.microsoft.activity.message";
    public const string ErrorResponseType = "application/vnd.microsoft.error";

    /// <summary>Invokes are answered within this time (Teams documents 5 s for invokes before it gives up or retries).</summary>
    public static readonly TimeSpan InvokeResponseBudget = TimeSpan.FromSeconds(4.5);

    public const string AdaptiveCardContentType = "application/vnd.microsoft.card.adaptive";
    public const string ChannelId = "msteams";

    /// <summary>The Bot Framework Emulator's channel, accepted in Development only.</summary>
    public const string EmulatorChannelId = "emulator";
}

/// <summary>How long an invoke's turn may run before Teams gets its answer (a type so tests can shorten it).</summary>
internal sealed record InvokeBudget(TimeSpan Value);
