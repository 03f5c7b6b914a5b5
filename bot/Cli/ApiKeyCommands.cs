using System.CommandLine;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Storage;

namespace PartnerBot.Bot.Cli;

/// <summary><c>apikey create --user ID [--admin] [--name TEXT] [--email ADDRESS]</c>: prints a new REST API key once.</summary>
internal static class ApiKeyCommands
{
    public static Command Create()
    {
        var user = new Option<string>("--user") { Description = "The user id the key acts as (their partner id).", Required = true };
        var admin = new Option<bool>("--admin") { Description = "Give the key the admin role." };
        var name = new Option<string?>("--name") { Description = "A label to recognise the key by." };
        var email = new Option<string?>("--email") { Description = "The user's email (for modules shared with specific users)." };
        var create = new Command("create", "Create an API key and print it once; only its hash is stored.") { user, admin, name, email };
        create.SetAction(async (parseResult, ct) =>
        {
            var userId = parseResult.GetValue(user)?.Trim();
            if (string.IsNullOrEmpty(userId))
            {
                await Console.Error.WriteLineAsync("--user needs a user id.");
                return 2;
            }
            using var services = BuildServices();
            var keys = new ApiKeyStore(services.GetRequiredService<IDocumentStore>(), TimeProvider.System);
            var created = await keys.CreateAsync(userId, parseResult.GetValue(admin), parseResult.GetValue(name), parseResult.GetValue(email), ct);
            Console.Out.WriteLine(created.Key);
            await Console.Error.WriteLineAsync(
                $"Created API key {created.Record.KeyId}… for user {created.Record.UserId} (roles: {string.Join(", ", created.Record.Roles)}). " +
                "Send it as the X-Api-Key header; it is not shown again.");
            return 0;
        });
        var apikey = new Command("apikey", "Manage REST API keys.");
        apikey.Subcommands.Add(create);
        return apikey;
    }

    private static ServiceProvider BuildServices()
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddPartnerBotStorage(configuration);
        return services.BuildServiceProvider();
    }
}
