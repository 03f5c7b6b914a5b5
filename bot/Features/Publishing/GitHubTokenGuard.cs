using System.Text.Json.Nodes;
using PartnerBot.Api.Publishing;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Publishing;

/// <summary>
/// Refuses any turn carrying a GitHub token outside the masked token field of the GitHub settings form: a token typed
/// into the chat (or another field) is visible in the transcript, so it is not used and the partner is told to revoke it.
/// </summary>
public sealed class GitHubTokenGuard : IInputGuard
{
    public InputRefusal? Inspect(IncomingTurn turn)
    {
        if (!GitHubTokens.ContainsToken(turn.Text) && !DataHoldsToken(turn.Data)) return null;
        return new InputRefusal("the message contains a GitHub token", new UiMessage(
            "That looks like a GitHub token: it was not used.",
            [
                new UiHeading("⚠️ Please revoke that token"),
                new UiText("Your message looks like a **GitHub token**. I did not use it: a token typed into the chat can be seen by " +
                           "anyone who sees this conversation. Revoke it now on GitHub (Settings → Developer settings → Personal " +
                           "access tokens), create a new one, and enter it in the masked field of **GitHub settings**.", UiTextTone.Attention),
            ],
            [new UiAction("GitHub settings", PublishingRoutes.GitHub), UiAction.Link("Revoke on GitHub", "https://github.com/settings/tokens")]));
    }

    /// <summary>Tokens become their hint (<c>ghp_…abcd</c>) before the transcript is stored.</summary>
    public string MaskForStorage(string text) => GitHubTokens.ContainsToken(text) ? GitHubTokens.Mask(text) : text;

    /// <summary>A token in card data, except in the token field of the settings form, where it belongs.</summary>
    private static bool DataHoldsToken(JsonObject? data)
    {
        if (data is null) return false;
        var tokenForm = ((string?)(data["formId"] as JsonValue))?.StartsWith(GitHubSettingsDialog.TokenFormPrefix, StringComparison.Ordinal) == true;
        foreach (var (key, value) in data)
        {
            if (tokenForm && key == GitHubSettingsDialog.TokenInputId) continue;
            if (Holds(value)) return true;
        }
        return false;
    }

    private static bool Holds(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => GitHubTokens.ContainsToken(s),
        JsonObject o => o.Any(p => Holds(p.Value)),
        JsonArray a => a.Any(Holds),
        _ => false,
    };
}
