using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;

namespace PartnerBot.Api.Http;

public static class RestApiExtensions
{
    /// <summary>REST API plumbing: API keys, the per-request <see cref="ICurrentCaller"/>, problem details, OpenAPI.</summary>
    public static IServiceCollection AddPartnerBotRestApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails();
        services.AddOpenApi();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ApiKeyStore>();
        services.TryAddScoped<CurrentCaller>();
        services.TryAddScoped<ICurrentCaller>(sp => sp.GetRequiredService<CurrentCaller>());
        return services;
    }

    /// <summary>
    /// Maps <c>GET /openapi/v1.json</c>, the authenticated deployments, catalog and credits endpoints, and the
    /// signed runner callback. Returns the authenticated group so other features can add their routes to it.
    /// </summary>
    public static RouteGroupBuilder MapPartnerBotRestApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi(ApiRoutes.OpenApiDocument.Replace("v1", "{documentName}", StringComparison.Ordinal));
        var api = endpoints.MapGroup("").RequireApiCaller();
        api.MapDeploymentEndpoints();
        api.MapCatalogEndpoints();
        api.MapCreditEndpoints();
        endpoints.MapRunnerEventEndpoints();
        return api;
    }
}
