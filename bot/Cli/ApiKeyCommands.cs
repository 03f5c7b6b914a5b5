using System.CommandLine;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Storage;

namespace PartnerBot.Bot.Cli;

/// <summary><c>apikey create --user USER [--admin] [--name TEXT] [--email ADDRESS]</c>: prints a new REST API key once.</summary>
internal static class ApiKeyCommands
{
    public const string UserForms =
        "an internal id (u_…), an email, or a chat identity: directline:ID, slack:TEAM:USER, msteams:AAD-OBJECT-ID, " +
        "or the bare channel id when only one user has it";

    public static Command Create()
    {
        var user = new Option<string>("--user") { Description = $"The user the key acts as: {UserForms}.", Required = true };
        var admin = new Option<bool>("--admin") { Description = "Give the key the admin role." };
        var name = new Option<string?>("--name") { Description = "A label to recognise the key by." };
        var email = new Option<string?>("--email") { Description = "The email the key presents (default: the user's own; for modules shared with specific users)." };
        var create = new Command("create", "Create an API key and print it once; only its hash is stored.") { user, admin, name, email };
        create.SetAction(async (parseResult, ct) =>
        {
            var reference = parseResult.GetValue(user)?.Trim();
            if (string.IsNullOrEmpty(reference))
            {
                await Console.Error.WriteLineAsync($"--user needs a user: {UserForms}.");
                return 2;
            }
            using var services = BuildServices();
            var lookup = await services.GetRequiredService<UserReferences>().ResolveAsync(reference, ct);
            if (lookup is not UserLookup.Found { User: var owner })
            {
                await Console.Error.WriteLineAsync(Explain(lookup));
                return 1;
            }
            var keys = services.GetRequiredService<ApiKeyStore>();
            CreatedApiKey created;
            try
            {
                created = await keys.CreateAsync(owner.Id, parseResult.GetValue(admin), parseResult.GetValue(name),
                    parseResult.GetValue(email) ?? owner.Email, ct);
            }
            catch (ApiKeyLimitException e)
            {
                await Console.Error.WriteLineAsync($"{owner.Id} ({owner.DisplayName}) already holds {e.Limit} API keys; they can revoke one in the chat (api key).");
                return 1;
            }
            Console.Out.WriteLine(created.Key);
            await Console.Error.WriteLineAsync(
                $"Created API key {created.Hint} (id {created.Record.KeyId}) for user {owner.Id} ({owner.DisplayName}; roles: {string.Join(", ", created.Record.Roles)}). " +
                "Send it as the X-Api-Key header; it is not shown again.");
            return 0;
        });
        var apikey = new Command("apikey", "Manage REST API keys.");
        apikey.Subcommands.Add(create);
        return apikey;
    }

    /// <summary>Why a user reference did not name exactly one user, with what to type instead.</summary>
    internal static string Explain(UserLookup lookup) => lookup switch
    {
        UserLookup.Unknown unknown =>
            $"No user matches '{unknown.Reference}'. Give {UserForms}. A person is known once they have chatted with the bot.",
        UserLookup.Ambiguous ambiguous =>
            $"'{ambiguous.Reference}' matches {ambiguous.Candidates.Count} users; give one of these instead:" + Environment.NewLine +
            string.Join(Environment.NewLine, ambiguous.Candidates.Select(c =>
                $"  {c.MatchedIdentity ?? c.User.Id}  (user {c.User.Id}, {c.User.DisplayName}{(c.User.Email is null ? "" : ", " + c.User.Email)})")),
        _ => "",
    };

    private static ServiceProvider BuildServices()
    {
        var configuration = CliConfiguration.Load();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddPartnerBotStorage(configuration);
        services.AddStorageContainer(UserDirectory.UsersContainer, "/createdAt");
        services.AddStorageContainer(ApiKeyStore.OwnerContainer, "/createdAt");
        services.AddSingleton(Options.Create(new PeopleOptions()));
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<UserReferences>();
        services.AddSingleton<ApiKeyStore>();
        return services.BuildServiceProvider();
    }
}
