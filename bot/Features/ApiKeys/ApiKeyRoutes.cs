using PartnerBot.Api.Identity;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.ApiKeys;

/// <summary>
/// REST API keys in the chat: a partner creates, lists and revokes their own keys.
///
/// | Chat command                                   | Card verbs                               | Dialog | Role    |
/// |------------------------------------------------|------------------------------------------|--------|---------|
/// | api key, api keys, apikey, apikeys [list]      | apikey                                   | apikey | partner |
/// | api key create [NAME]                          | apikey.create (input <c>keyName</c>)     | apikey | partner |
/// | api key revoke KEY-ID|NAME                     | apikey.revoke, apikey.revoke.confirm     | apikey | partner |
/// Every turn passes <see cref="ApiKeyGuard"/> first: a key pasted into the chat is refused and kept out of the transcript.
/// </summary>
public static class ApiKeyRoutes
{
    public const string Create = "apikey.create";
    public const string Revoke = "apikey.revoke";
    public const string RevokeConfirmed = "apikey.revoke.confirm";

    public static IServiceCollection AddApiKeyChat(this IServiceCollection services)
    {
        // "api key" arrives as the command "api" with "key" as its first argument.
        services.AddSingleton(new ChatRoute(CardVerbs.ApiKeys, "API keys", ApiKeyDialog.DialogId, ["apikeys", "api"], RequiredRole: Roles.Partner));
        services.AddSingleton<Dialog, ApiKeyDialog>();
        services.AddSingleton<IInputGuard, ApiKeyGuard>();
        return services;
    }
}
