using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Conversations;

/// <summary>
/// Checks every turn before it is routed. A guard that refuses a turn keeps it out of the dialogs, the conversation
/// state and the logs; the conversation root answers with <see cref="InputRefusal.Message"/> and removes the input
/// from the channel's stored history where the channel allows it.
/// </summary>
public interface IInputGuard
{
    /// <summary>Null to let the turn through, or why it is refused.</summary>
    InputRefusal? Inspect(IncomingTurn turn);
}

/// <param name="Reason">For the log: what was found, never the input itself.</param>
/// <param name="Message">What to tell the user.</param>
public sealed record InputRefusal(string Reason, UiMessage Message);
