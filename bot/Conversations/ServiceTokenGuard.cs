using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Conversations;

/// <summary>
/// Refuses any turn carrying a Slack token (<c>xoxb-</c>, <c>xoxp-</c>, <c>xapp-</c>…) or a Stripe secret
/// (<c>sk_live_</c>, <c>sk_test_</c>, <c>rk_…</c>, <c>whsec_</c>): no form of the bot asks for one, so one in a chat was
/// pasted by mistake. It is not used, it is masked before anything stores the input, and the user is told to revoke it.
/// </summary>
public sealed partial class ServiceTokenGuard : IInputGuard
{
    [GeneratedRegex(@"(?<![A-Za-z0-9_-])(?:xox[a-z]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,}|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{10,})", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    public InputRefusal? Inspect(IncomingTurn turn)
    {
        var token = FirstToken(turn.Text) ?? FirstToken(turn.Data);
        if (token is null) return null;
        var slack = token.StartsWith("x", StringComparison.Ordinal);
        var service = slack ? "Slack" : "Stripe";
        return new InputRefusal($"the message contains a {service} secret", new UiMessage(
            $"That looks like a {service} secret: it was not used.",
            [
                new UiHeading("⚠️ Please revoke that secret"),
                new UiText($"Your message holds something that looks like a **{service} {(slack ? "token" : "key")}** (`{Hint(token)}`). I did not use or keep it, " +
                           "but anyone who saw this conversation could. Revoke it and create a new one; I never ask for it in a chat.", UiTextTone.Attention),
            ],
            [slack ? UiAction.Link("Your Slack apps", "https://api.slack.com/apps") : UiAction.Link("Stripe API keys", "https://dashboard.stripe.com/apikeys")]));
    }

    /// <summary>Tokens become their hint (<c>xoxb-…abcd</c>) before an input is stored.</summary>
    public string MaskForStorage(string text) => TokenPattern().IsMatch(text) ? TokenPattern().Replace(text, m => Hint(m.Value)) : text;

    /// <summary>The prefix and the last four characters, the only form a token is ever shown or kept in.</summary>
    public static string Hint(string token)
    {
        var prefix = token.StartsWith("xapp-", StringComparison.Ordinal) ? "xapp-"
            : token.StartsWith("xox", StringComparison.Ordinal) ? token[..5]
            : token.StartsWith("whsec_", StringComparison.Ordinal) ? "whsec_"
            : token[..8]; // sk_live_, sk_test_, rk_live_, rk_test_
        return prefix + "…" + token[^4..];
    }

    private static string? FirstToken(string? text) => text is null ? null : TokenPattern().Match(text) is { Success: true } m ? m.Value : null;

    private static string? FirstToken(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => FirstToken(s),
        JsonObject o => o.Select(p => FirstToken(p.Value)).FirstOrDefault(t => t is not null),
        JsonArray a => a.Select(FirstToken).FirstOrDefault(t => t is not null),
        _ => null,
    };
}
