using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Identity;

namespace PartnerBot.Api.Http;

/// <summary>
/// Authenticates REST API calls: <c>X-Api-Key</c> (or, where configured, an Entra ID bearer token). Anything else
/// gets 401 with problem details. Runs as an endpoint filter, so it touches only the routes that ask for it.
/// </summary>
public sealed class ApiAuthenticationFilter(ApiKeyStore keys, ApiKeyUsage usage, CurrentCaller caller, IEnumerable<IBearerTokenAuthenticator> bearers)
    : IEndpointFilter
{
    public const string ApiKeyHeader = "X-Api-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Request.Headers.TryGetValue(ApiKeyHeader, out var values) && values.Count == 1)
        {
            var record = await keys.FindAsync(values[0], http.RequestAborted);
            if (record is null) return Unauthorized(http, "The API key is not valid.");
            await usage.RecordUseAsync(ApiKeyStore.Hash(values[0]!.Trim()), record, http.RequestAborted);
            caller.Set(record.UserId, record.Email, record.Roles, "ApiKey");
            return await next(context);
        }

        var authorization = http.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var configured = bearers.Where(b => b.IsConfigured).ToList();
            if (configured.Count == 0)
                return Unauthorized(http, $"Bearer tokens are not accepted here; send an API key in the {ApiKeyHeader} header.");
            foreach (var bearer in configured)
            {
                var identity = await bearer.AuthenticateAsync(authorization["Bearer ".Length..].Trim(), http.RequestAborted);
                if (identity is null) continue;
                caller.Set(identity.UserId, identity.Email, identity.Roles, bearer.Scheme);
                return await next(context);
            }
            return Unauthorized(http, "The bearer token is not valid.");
        }

        return Unauthorized(http, $"Send an API key in the {ApiKeyHeader} header.");
    }

    private static IResult Unauthorized(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = "ApiKey header=\"X-Api-Key\"";
        return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }
}

/// <summary>An identity proven by a bearer token.</summary>
public sealed record BearerIdentity(string UserId, string? Email, IReadOnlyList<string> Roles);

/// <summary>Validates bearer tokens of one scheme (e.g. Entra ID); null when the token is not acceptable.</summary>
public interface IBearerTokenAuthenticator
{
    string Scheme { get; }
    /// <summary>False when its settings are absent; such an authenticator is skipped.</summary>
    bool IsConfigured { get; }
    Task<BearerIdentity?> AuthenticateAsync(string token, CancellationToken ct);
}

public static class ApiAuthenticationExtensions
{
    /// <summary>Requires an authenticated caller on every endpoint of the group (see <see cref="ICurrentCaller"/>).</summary>
    public static RouteGroupBuilder RequireApiCaller(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter<ApiAuthenticationFilter>();
        group.AddEndpointFilter<ApiBadInputFilter>();
        group.WithMetadata(new ApiKeySecurityMetadata());
        group.ProducesProblem(StatusCodes.Status401Unauthorized);
        return group;
    }
}

/// <summary>Marks endpoints that need the API key (reflected into the OpenAPI document).</summary>
public sealed class ApiKeySecurityMetadata;
