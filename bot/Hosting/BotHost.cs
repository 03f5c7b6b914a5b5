using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Billing;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Http;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Channels.DirectLine;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Hosting.Health;
using PartnerBot.Bot.Hosting.Telemetry;
using PartnerBot.Api.Support;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Hosting;

/// <summary>Builds and runs the web host: channels, API, Web Chat page.</summary>
public static class BotHost
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        WebApplication app;
        try
        {
            app = Build(args);
            // The start-up validation runs again in StartAsync; run first, a bad setting is one line, not the host's error log.
            app.Services.GetService<IStartupValidator>()?.Validate();
            // Before the host starts, so an unreachable store is one line rather than the host's error log.
            await app.Services.PrepareStorageAsync(ct);
            await app.StartAsync(ct);
        }
        catch (OptionsValidationException e)
        {
            // One line naming the key, not a stack trace.
            await Console.Error.WriteLineAsync("Configuration error: " + string.Join(" ", e.Failures));
            return 1;
        }
        catch (AggregateException e) when (e.InnerExceptions.All(inner => inner is OptionsValidationException))
        {
            // Several settings are wrong at once: still one line, naming every key.
            await Console.Error.WriteLineAsync("Configuration error: " + string.Join(" ",
                e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(inner => inner.Failures)));
            return 1;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Unavailable)
        {
            await Console.Error.WriteLineAsync("Storage error: " + e.Message);
            return 1;
        }
        await app.WaitForShutdownAsync(ct);
        await app.DisposeAsync();
        return 0;
    }

    /// <param name="configure">Extra registrations before the host is built (tests use it for configuration).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        PartnerBot.Bot.Channels.Teams.TeamsChannelExtensions.AddTeamsChannel(builder.Services, builder.Configuration);
        configure?.Invoke(builder);

        var services = builder.Services;
        services.AddProblemDetails();
        services.AddExceptionHandler<UnhandledErrorHandler>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ChatOptions>()
            .Configure<IConfiguration, IHostEnvironment>((o, c, e) => ChatOptions.Bind(o, c, e))
            .ValidateWith(ChatOptions.Validate);
        services.AddOptions<PeopleOptions>()
            .Configure<IConfiguration>((o, c) =>
            {
                o.AdminEmails = c.GetSection("Admins:Emails").Get<List<string>>() ?? [];
                if (c["People:ProfileCacheSeconds"] is { Length: > 0 } seconds)
                    // Whole seconds; anything else (or out of range) fails validation at start-up, naming the key.
                    o.ProfileFreshFor = int.TryParse(seconds, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s)
                        && s <= PeopleOptions.MaxProfileFreshFor.TotalSeconds ? TimeSpan.FromSeconds(s) : TimeSpan.MinValue;
            })
            .ValidateWith(PeopleOptions.Validate);

        services.AddPartnerBotTelemetry(builder.Configuration, builder.Environment);
        services.AddPartnerBotHealth();
        services.AddPartnerBotStorage(builder.Configuration);
        services.AddPartnerBotCredits(builder.Configuration);
        services.AddPartnerBotCatalog(builder.Configuration);
        services.AddPartnerBotDeployments(builder.Configuration);
        services.AddPartnerBotRestApi(builder.Configuration);
        services.AddStorageContainer(UserDirectory.UsersContainer, "/createdAt");
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<ConversationStateStore>();
        services.AddSingleton<ChatRouteTable>();
        services.AddSingleton<MainMenu>();
        services.TryAddSingleton<IChatBot, ChatBot>(); // tests may bring their own
        services.AddSingleton<IInputGuard, ServiceTokenGuard>();
        services.AddSingleton<IInputGuard, MaskedSecretGuard>();
        services.AddSingleton<TurnDispatcher>();

        // Channels
        services.AddDirectLineChannel();
        services.AddWebChatSignIn(builder.Configuration, builder.Environment);
        services.AddSlackChannel(builder.Configuration);

        // Features: every IChatFeature of this assembly (each registers its services and route table in Features/X/XRoutes.cs)
        services.AddChatFeatures(builder.Configuration);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseRequestBodyLimits(); // after routing (added first by the host), so it sees the endpoint
        var webChat = app.Services.GetRequiredService<IOptions<ChatOptions>>().Value;
        if (webChat.WebChatEnabled && app.Services.GetRequiredService<WebChatSessions>().RequiresSignIn)
            app.UseAuthentication(); // answers the OpenID Connect callback
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });

        app.MapPartnerBotHealth();
        app.MapPartnerBotMetrics();
        app.MapPartnerBotRestApi()
            .MapBillingApi()
            .MapSupportEndpoints();
        app.MapBillingEndpoints();
        app.MapSlackChannel();

        if (webChat.WebChatEnabled)
        {
            app.MapDirectLineChannel();
            MapWebChatPage(app);
        }
        PartnerBot.Bot.Channels.Teams.TeamsChannelExtensions.MapTeamsChannel(app);
        return app;
    }

    private static void MapWebChatPage(WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "webchat");
        if (!Directory.Exists(root)) return;
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(root), RequestPath = "/webchat" });
        var index = Path.Combine(root, "index.html");
        app.MapGet("/", async (HttpContext http, WebChatSessions sessions) =>
        {
            // With OpenID Connect the page itself is the sign-in: the browser comes back with its session cookie.
            if (sessions.RequiresSignIn && !(await http.AuthenticateAsync(WebChatSessions.Scheme)).Succeeded)
                return Results.Challenge();
            return Results.File(index, "text/html; charset=utf-8");
        });
    }
}
