using System.Text.RegularExpressions;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Conversations;

/// <summary>
/// Answers a message holding a masked secret (<c>ghp_…abcd</c>, <c>xoxb-…abcd</c>): what a channel stores when the
/// user sent a token, because that channel's turns run from the stored copy (the Slack inbox). The other guards only
/// ever see the mask there, so this one tells the user what happened and that the token should be revoked.
/// </summary>
public sealed partial class MaskedSecretGuard : IInputGuard
{
    /// <summary>A token hint as the guards write it: a prefix ending in <c>_</c> or <c>-</c>, an ellipsis, up to four characters.</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9_-])[A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)*[_-]…[A-Za-z0-9]{0,4}(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex HintPattern();

    public InputRefusal? Inspect(IncomingTurn turn)
    {
        if (turn.Text is null || HintPattern().Match(turn.Text) is not { Success: true } hint) return null;
        return new InputRefusal("the message held a token that was masked before it was stored", new UiMessage(
            "That looked like a token: I removed it and did not use it.",
            [
                new UiHeading("⚠️ Please revoke that token"),
                new UiText($"Your message held something that looks like a token (now `{hint.Value}`). I removed it before keeping your message " +
                           "and did not use it, but anyone who saw the message could. If it is a real token, revoke it and create a new one; " +
                           "enter secrets only in the masked fields of a form.", UiTextTone.Attention),
            ],
            []));
    }
}
