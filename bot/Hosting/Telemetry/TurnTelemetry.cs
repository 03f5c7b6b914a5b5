using System.Diagnostics;
using PartnerBot.Api.Telemetry;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Bot.Hosting.Telemetry;

/// <summary>
/// The span and the measurements of one turn: <c>partnerbot.turns</c> (channel, route) and
/// <c>partnerbot.turn.duration</c> (channel), and the turn's <c>dialog</c> child span. The route is told by the conversation root once it has chosen one
/// (<see cref="RouteChosen"/>); nothing of the turn's text or data is recorded.
/// </summary>
public sealed class TurnTelemetry : IDisposable
{
    /// <summary>The route of a turn that opened a conversation.</summary>
    public const string ConversationStart = "conversation.start";
    /// <summary>The route of typed text or a form button that went to the open dialog.</summary>
    public const string OpenDialog = "dialog";
    /// <summary>Nothing matched: the menu was shown.</summary>
    public const string Unmatched = "unmatched";
    /// <summary>An input guard refused the input (e.g. a pasted token).</summary>
    public const string Refused = "refused";
    /// <summary>A redelivered input, skipped.</summary>
    public const string Redelivered = "redelivered";

    private static readonly AsyncLocal<TurnTelemetry?> CurrentTurn = new();

    private readonly string _channel;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Activity? _activity;
    private string _route = Unmatched;
    private Activity? _dialog;

    private TurnTelemetry(IncomingTurn turn)
    {
        _channel = turn.Channel;
        _activity = PartnerBotTelemetry.Source.StartActivity("turn");
        _activity?.SetTag(PartnerBotTelemetry.Tags.Channel, turn.Channel);
        _activity?.SetTag("partnerbot.turn.kind", turn.Kind.ToString());
    }

    public static TurnTelemetry Start(IncomingTurn turn)
    {
        var telemetry = new TurnTelemetry(turn);
        CurrentTurn.Value = telemetry;
        return telemetry;
    }

    /// <summary>Names the route the current turn took (a command word, a card verb, or one of the constants here).</summary>
    public static void RouteChosen(string route)
    {
        if (CurrentTurn.Value is not { } turn) return;
        turn._route = route;
        turn._activity?.SetTag(PartnerBotTelemetry.Tags.Route, route);
        turn._dialog?.SetTag(PartnerBotTelemetry.Tags.Route, route);
    }

    /// <summary>
    /// The span of the dialog work of the current turn (routing, the dialog or handler, its store calls), a child of the
    /// turn's span, so the state load and save around it stay apart from what the feature did. Dispose it when the
    /// dialog returns.
    /// </summary>
    public static IDisposable StartDialog()
    {
        if (CurrentTurn.Value is not { } turn) return NoSpan.Instance;
        var dialog = PartnerBotTelemetry.Source.StartActivity("dialog");
        if (dialog is null) return NoSpan.Instance;
        dialog.SetTag(PartnerBotTelemetry.Tags.Channel, turn._channel);
        turn._dialog = dialog;
        return new DialogSpan(turn, dialog);
    }

    private sealed class DialogSpan(TurnTelemetry turn, Activity dialog) : IDisposable
    {
        public void Dispose()
        {
            dialog.SetTag(PartnerBotTelemetry.Tags.Route, turn._route);
            if (turn._dialog == dialog) turn._dialog = null;
            dialog.Dispose();
        }
    }

    private sealed class NoSpan : IDisposable
    {
        public static readonly NoSpan Instance = new();
        public void Dispose() { }
    }

    public void Dispose()
    {
        if (CurrentTurn.Value == this) CurrentTurn.Value = null;
        _activity?.SetTag(PartnerBotTelemetry.Tags.Route, _route);
        PartnerBotTelemetry.Turns.Add(1, new("channel", _channel), new("route", _route));
        PartnerBotTelemetry.TurnDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, new KeyValuePair<string, object?>("channel", _channel));
        _activity?.Dispose();
    }
}
