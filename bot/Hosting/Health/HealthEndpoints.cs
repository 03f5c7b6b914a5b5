using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PartnerBot.Api.Storage;

namespace PartnerBot.Bot.Hosting.Health;

/// <summary>
/// <c>GET /healthz</c>: the process is alive (no check runs). <c>GET /readyz</c>: 200 while every readiness check is
/// healthy or degraded, 503 when one is unhealthy; the JSON body names each check with its status and a short reason.
/// </summary>
public static class HealthEndpoints
{
    public const string Liveness = "/healthz";
    public const string ReadyTag = "ready";

    public static IServiceCollection AddPartnerBotHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage", HealthStatus.Unhealthy, [ReadyTag])
            .AddCheck<RunnerHealthCheck>("runner", HealthStatus.Unhealthy, [ReadyTag])
            .AddCheck<SandboxHealthCheck>("sandbox", HealthStatus.Unhealthy, [ReadyTag])
            .AddCheck<SlackConfigurationHealthCheck>("slack", HealthStatus.Unhealthy, [ReadyTag])
            .AddCheck<TeamsConfigurationHealthCheck>("teams", HealthStatus.Unhealthy, [ReadyTag]);
        return services;
    }

    public static WebApplication MapPartnerBotHealth(this WebApplication app)
    {
        app.MapHealthChecks(Liveness, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).ExcludeFromDescription();
        app.MapHealthChecks(StorageRoutes.Readiness, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteAsync,
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary><c>{"status": "Healthy", "checks": [{"name", "status", "description"}]}</c>: exception details stay in the log.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                // A check that threw reports its exception's message by default, which may say more than a probe should.
                description = e.Value.Exception is { } error ? $"the check failed ({error.GetType().Name})" : e.Value.Description,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
