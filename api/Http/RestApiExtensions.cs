using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Http;

public static class RestApiExtensions
{
    private const string ApiKeySchemeName = "ApiKey";

    /// <summary>REST API plumbing: API keys, the per-request <see cref="ICurrentCaller"/>, problem details, OpenAPI.</summary>
    public static IServiceCollection AddPartnerBotRestApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails();
        services.AddRequestBodyLimits(configuration);
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            // Every /api route except the signed runner callback takes the X-Api-Key header.
            document.Components ??= new Microsoft.OpenApi.OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeySchemeName] = new Microsoft.OpenApi.OpenApiSecurityScheme
            {
                Type = Microsoft.OpenApi.SecuritySchemeType.ApiKey,
                In = Microsoft.OpenApi.ParameterLocation.Header,
                Name = ApiAuthenticationFilter.ApiKeyHeader,
                Description = "A per-user key: created in the chat with `api key`, or with `partnerbot apikey create --user ID`.",
            };
            document.Security ??= [];
            document.Security.Add(new Microsoft.OpenApi.OpenApiSecurityRequirement
            {
                [new Microsoft.OpenApi.OpenApiSecuritySchemeReference(ApiKeySchemeName, document)] = [],
            });
            return Task.CompletedTask;
        }));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ApiKeyStore>();
        services.TryAddSingleton<ApiKeyUsage>();
        services.AddStorageContainer(ApiKeyStore.OwnerContainer, "/createdAt");
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBearerTokenAuthenticator, EntraIdBearerAuthenticator>());
        services.TryAddScoped<CurrentCaller>();
        services.TryAddScoped<ICurrentCaller>(sp => sp.GetRequiredService<CurrentCaller>());
        return services;
    }

    /// <summary>
    /// Maps <c>GET /openapi/v1.json</c>, the authenticated deployments, catalog and credits endpoints, and the
    /// signed runner callback and the Terraform state backend (per-deployment basic auth). Returns the authenticated group so other features can add their routes to it.
    /// </summary>
    public static RouteGroupBuilder MapPartnerBotRestApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi(ApiRoutes.OpenApiDocument.Replace("v1", "{documentName}", StringComparison.Ordinal));
        var api = endpoints.MapGroup("").RequireApiCaller().WithRequestBodyLimit(RequestBodyGroup.Api);
        api.MapDeploymentEndpoints();
        api.MapCatalogEndpoints();
        api.MapCreditEndpoints();
        endpoints.MapRunnerEventEndpoints();
        endpoints.MapTerraformStateEndpoints();
        return api;
    }
}
