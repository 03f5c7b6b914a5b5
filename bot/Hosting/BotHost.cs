using PartnerBot.Api.Storage;

namespace PartnerBot.Bot.Hosting;

/// <summary>Builds and runs the web host: channels, API, Web Chat page.</summary>
public static class BotHost
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var app = Build(args);
        await app.RunAsync(ct);
        return 0;
    }

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddPartnerBotStorage(builder.Configuration);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapStorageHealth();
        return app;
    }
}
