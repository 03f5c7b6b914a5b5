using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Deployments.State;

/// <summary>
/// Terraform's standard <c>http</c> backend at <see cref="ApiRoutes.TerraformState"/>: GET, POST (<c>?ID=</c> when
/// locked) and DELETE of the state, LOCK and UNLOCK with Terraform's lock info as the body. Callers authenticate with
/// the deployment's HTTP basic credentials (<see cref="TerraformStateCredentials"/>), not an API key.
/// </summary>
public static class TerraformStateEndpoints
{
    public const string LockMethod = "LOCK";
    public const string UnlockMethod = "UNLOCK";
    private const string Realm = "PartnerBot Terraform state";

    public static IEndpointRouteBuilder MapTerraformStateEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var state = endpoints.MapGroup(ApiRoutes.TerraformState).WithTags("Terraform state").ExcludeFromDescription()
            .AddEndpointFilter<StateBadInputFilter>()
            .WithRequestBodyLimit(RequestBodyGroup.OwnLimit); // Deployments:MaxStateBytes, read below
        state.MapGet("", GetAsync).WithName("GetTerraformState");
        state.MapPost("", PostAsync).WithName("PutTerraformState");
        state.MapDelete("", DeleteAsync).WithName("DeleteTerraformState");
        state.MapMethods("", [LockMethod], LockAsync).WithName("LockTerraformState");
        state.MapMethods("", [UnlockMethod], UnlockAsync).WithName("UnlockTerraformState");
        return endpoints;
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, TerraformStateCredentials credentials,
        DeploymentRepository deployments, TerraformStateStore states, CancellationToken ct)
    {
        var (_, refused) = await AdmitAsync(id, http, credentials, deployments, ct);
        if (refused is not null) return refused;
        var snapshot = await states.ReadAsync(id, ct);
        if (snapshot is null) return Results.NoContent();
        http.Response.Headers["Content-MD5"] = Convert.ToBase64String(MD5.HashData(snapshot.Json));
        return Results.Bytes(snapshot.Json, "application/json");
    }

    private static async Task<IResult> PostAsync(string id, HttpContext http, TerraformStateCredentials credentials,
        DeploymentRepository deployments, TerraformStateStore states, IOptions<DeploymentOptions> options, CancellationToken ct)
    {
        var (_, refused) = await AdmitAsync(id, http, credentials, deployments, ct);
        if (refused is not null) return refused;
        if (LockIdFromQuery(http.Request) is { Problem: { } badId }) return badId;
        var (body, tooLarge) = await ReadBodyAsync(http.Request, options.Value.MaxStateBytes, "Deployments:MaxStateBytes", ct);
        if (tooLarge is not null) return tooLarge;
        if (http.Request.Headers["Content-MD5"].ToString() is { Length: > 0 } md5
            && md5 != Convert.ToBase64String(MD5.HashData(body!)))
            return ApiProblems.BadRequest("The body does not match its Content-MD5 header; the state was not changed.");
        var (summary, malformed) = TerraformStateSummary.Read(body);
        if (summary is null) return ApiProblems.BadRequest(malformed + " The state was not changed.");

        var result = await states.WriteAsync(id, body, summary, LockIdFromQuery(http.Request).Id, ct);
        return result.Status == StateChangeStatus.Done
            ? ApiResults.Ok(new { version = result.Version!.Version, serial = result.Version.Serial, lineage = result.Version.Lineage })
            : Refused(result, "written");
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, TerraformStateCredentials credentials,
        DeploymentRepository deployments, TerraformStateStore states, CancellationToken ct)
    {
        var (_, refused) = await AdmitAsync(id, http, credentials, deployments, ct);
        if (refused is not null) return refused;
        var (lockId, badId) = LockIdFromQuery(http.Request);
        if (badId is not null) return badId;
        var result = await states.DeleteAsync(id, lockId, ct);
        return result.Status == StateChangeStatus.Done ? Results.Ok() : Refused(result, "deleted");
    }

    private static async Task<IResult> LockAsync(string id, HttpContext http, TerraformStateCredentials credentials,
        DeploymentRepository deployments, TerraformStateStore states, TimeProvider clock, CancellationToken ct)
    {
        var (deployment, refused) = await AdmitAsync(id, http, credentials, deployments, ct);
        if (refused is not null) return refused;
        var (body, tooLarge) = await ReadBodyAsync(http.Request, TerraformLockInfo.MaxBodyBytes, null, ct);
        if (tooLarge is not null) return tooLarge;
        var (info, malformed) = TerraformLockInfo.Parse(body);
        if (info is null) return ApiProblems.BadRequest(malformed!);

        // Terraform cannot say which run it is: the deployment's live lease at this moment is the run taking the lock.
        var lease = deployment!.Deployment.Lease;
        var holder = lease is not null && lease.UntilMs >= clock.GetUtcNow().ToUnixTimeMilliseconds()
            ? new TerraformLockHolder(lease.Owner, deployment.Deployment.Builds.LastOrDefault()?.Number, lease.UntilMs)
            : null;
        var result = await states.LockAsync(id, info, holder, ct);
        return result.Status == LockStatus.Acquired
            ? Results.Json(result.Lock.Info.ToJson(), statusCode: StatusCodes.Status200OK)
            // Terraform reads the holder's lock info from the body and names its ID in the error it shows.
            : Results.Json(result.Lock.Info.ToJson(), statusCode: StatusCodes.Status423Locked);
    }

    private static async Task<IResult> UnlockAsync(string id, HttpContext http, TerraformStateCredentials credentials,
        DeploymentRepository deployments, TerraformStateStore states, CancellationToken ct)
    {
        var (_, refused) = await AdmitAsync(id, http, credentials, deployments, ct);
        if (refused is not null) return refused;
        var (body, tooLarge) = await ReadBodyAsync(http.Request, TerraformLockInfo.MaxBodyBytes, null, ct);
        if (tooLarge is not null) return tooLarge;
        var (info, malformed) = TerraformLockInfo.Parse(body);
        if (info is null) return ApiProblems.BadRequest(malformed!);
        var result = await states.UnlockAsync(id, info.Id, ct);
        return result.Status == UnlockStatus.HeldByOther
            ? LockProblem(StatusCodes.Status409Conflict, $"The state is held by {result.Holder!.Describe()}; lock {info.Id} is not it.",
                result.Holder)
            : Results.Ok();
    }

    /// <summary>Authenticates the caller for <paramref name="id"/> and finds the deployment, or says why not.</summary>
    private static async Task<(StoredDeployment? Deployment, IResult? Problem)> AdmitAsync(string id, HttpContext http,
        TerraformStateCredentials credentials, DeploymentRepository deployments, CancellationToken ct)
    {
        if (!StoreJson.IsValidId(id)) return (null, ApiProblems.NotFound($"There is no deployment {id}."));
        if (BasicCredentials(http.Request) is not { } basic)
            return (null, Unauthorized(http, "Send the deployment's credentials with HTTP basic authentication."));
        var (user, password) = basic;
        switch (await credentials.CheckAsync(id, user, password, ct))
        {
            case CredentialCheck.Invalid:
                return (null, Unauthorized(http, "The credentials are not valid for this deployment's state."));
            case CredentialCheck.OtherDeployment:
                return (null, ApiProblems.Forbidden("These credentials belong to another deployment; each deployment reads only its own state."));
        }
        var deployment = await deployments.FindAsync(id, ct);
        return deployment is null ? (null, ApiProblems.NotFound($"There is no deployment {id}.")) : (deployment, null);
    }

    private static (string User, string Password)? BasicCredentials(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':');
            return colon <= 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static IResult Unauthorized(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\", charset=\"UTF-8\"";
        return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    private static (string? Id, IResult? Problem) LockIdFromQuery(HttpRequest request)
    {
        if (!request.Query.TryGetValue("ID", out var values)) return (null, null);
        if (values.Count != 1 || string.IsNullOrWhiteSpace(values[0]) || values[0]!.Length > TerraformLockInfo.MaxIdLength)
            return (null, ApiProblems.BadRequest($"ID must name one lock (1-{TerraformLockInfo.MaxIdLength} characters)."));
        return (values[0], null);
    }

    /// <summary>Reads the whole body, refusing (413) anything over <paramref name="limit"/> bytes before it is stored.</summary>
    private static async Task<(byte[]? Body, IResult? Problem)> ReadBodyAsync(HttpRequest request, long limit, string? setting,
        CancellationToken ct)
    {
        var tooLarge = ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "Too large",
            $"The body is larger than {limit} bytes" + (setting is null ? "." : $" ({setting}).") + " Nothing was changed.");
        // This endpoint enforces its own limit, which may be above the server's default.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = null;

        var chunk = new byte[81920];
        if (request.ContentLength > limit)
        {
            await DiscardAsync(request.Body, chunk, limit, ct);
            return (null, tooLarge);
        }
        using var buffer = new MemoryStream();
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                await DiscardAsync(request.Body, chunk, limit, ct);
                return (null, tooLarge);
            }
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray(), null);
    }

    /// <summary>
    /// Reads and drops the rest of a refused body (up to a bound), so the client finishes sending and then sees the
    /// 413 instead of a connection torn down mid-upload.
    /// </summary>
    private static async Task DiscardAsync(Stream body, byte[] chunk, long limit, CancellationToken ct)
    {
        var budget = Math.Max(limit, 1024 * 1024) * 4;
        int read;
        while (budget > 0 && (read = await body.ReadAsync(chunk, ct)) > 0) budget -= read;
    }

    private static IResult Refused(StateChangeResult result, string what) => result.Status switch
    {
        StateChangeStatus.Locked => LockProblem(StatusCodes.Status423Locked,
            $"The state is locked by {result.Holder!.Describe()}; it was not {what}. Send ?ID= with the lock's ID.", result.Holder),
        StateChangeStatus.LockMismatch => LockProblem(StatusCodes.Status409Conflict,
            $"The state is locked by {result.Holder!.Describe()}, not by the lock named in ?ID=; it was not {what}.", result.Holder),
        _ => ApiProblems.Conflict($"The state is not locked any more, so the lock named in ?ID= is not held; it was not {what}."),
    };

    private static IResult LockProblem(int status, string detail, TerraformStateLock holder) =>
        Results.Problem(statusCode: status, title: status == StatusCodes.Status423Locked ? "Locked" : "Conflict", detail: detail,
            extensions: new Dictionary<string, object?> { ["lock"] = holder.Info.ToJson() });

    /// <summary>Storage refusing or losing a request becomes a problem response, never a bare 500.</summary>
    private sealed class StateBadInputFilter(ILogger<TerraformStateStore> logger) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            try
            {
                return await next(context);
            }
            catch (StorageException e) when (e.Kind is StorageErrorKind.BadRequest)
            {
                return ApiProblems.BadRequest("The request could not be processed: " + e.Message);
            }
            catch (StorageException e) when (e.Kind is StorageErrorKind.Unavailable or StorageErrorKind.TooLarge)
            {
                logger.LogWarning(e, "A Terraform state request could not be served.");
                return ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "Unavailable",
                    "The state store could not serve the request; nothing was changed. Try again.");
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                logger.LogError(e, "A stored Terraform state could not be decrypted.");
                return ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "Unavailable",
                    "The stored state could not be decrypted with this host's key ring.");
            }
        }
    }
}
