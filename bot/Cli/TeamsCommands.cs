using System.CommandLine;
using PartnerBot.Bot.Channels.Teams;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Bot.Cli;

/// <summary><c>teams package --out FILE.zip</c>: writes the Teams app package for the configured bot.</summary>
internal static class TeamsCommands
{
    public static Command Create(InvocationDirectory invocation)
    {
        var output = new Option<string>("--out") { Description = "Where to write the app package (.zip).", Required = true };
        var package = new Command("package", "Write the Teams app package (manifest.json, color.png, outline.png).") { output };
        package.SetAction((parse, _) => Task.FromResult(WritePackage(new FileInfo(invocation.Resolve(parse.GetValue(output)!)), CliConfiguration.Load())));

        return new Command("teams", "Microsoft Teams app tools.") { package };
    }

    internal static int WritePackage(FileInfo target, IConfiguration configuration)
    {
        var appId = configuration["MicrosoftAppId"];
        var publicBaseUrl = configuration["PublicBaseUrl"];
        if (string.IsNullOrWhiteSpace(appId) || !Guid.TryParse(appId, out _))
        {
            Console.Error.WriteLine("MicrosoftAppId must be set to the bot's Entra app id (a GUID) to build the Teams package.");
            return 2;
        }
        if (!Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out _))
        {
            Console.Error.WriteLine("PublicBaseUrl must be an absolute URL (e.g. https://bot.example.com).");
            return 2;
        }
        target.Directory?.Create();
        using (var file = target.Create()) TeamsAppPackage.Write(file, appId, publicBaseUrl!, ChatRouteTable.Product());
        Console.WriteLine($"Wrote {target.FullName}");
        return 0;
    }
}
