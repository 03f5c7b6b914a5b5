using PartnerBot.Api.Identity;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bot.Features.ApiKeys;

/// <summary>
/// REST API keys in the chat: a partner creates, lists and revokes their own keys (<c>api key</c>, typed as two words:
/// the command <c>api</c> with <c>key</c> as its first argument). Every turn passes <see cref="ApiKeyGuard"/> first:
/// a key pasted into the chat is refused and kept out of the transcript.
/// </summary>
public sealed class ApiKeyRoutes : IChatFeature
{
    public const string ApiKeys = "apikey";
    public const string Create = "apikey.create";
    public const string Revoke = "apikey.revoke";
    public const string RevokeConfirmed = "apikey.revoke.confirm";

    public int Order => 70;

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<Dialog, ApiKeyDialog>();
        services.AddSingleton<IInputGuard, ApiKeyGuard>();
    }

    public void MapRoutes(ChatRouteBuilder routes) =>
        routes.Dialog<ApiKeyDialog>(ApiKeyDialog.DialogId, Roles.Partner)
            .Command(ApiKeys, d => d.StartAsync,
                new("api key [create NAME | revoke ID]", "Your keys for the REST API: list them, create one (shown once), revoke one"),
                ["api", "apikeys"])
            .Verb(ApiKeys, d => d.StartAsync)
            .Verb(Create, d => d.CreateAsync)
            .Verb(Revoke, d => d.ConfirmRevokeAsync)
            .Verb(RevokeConfirmed, d => d.RevokeAsync);
}
