using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Http;

/// <summary>RFC 9457 problem responses for the REST API.</summary>
public static class ApiProblems
{
    public static IResult Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail);

    public static IResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static IResult Validation(IDictionary<string, string[]> errors, string detail) =>
        Results.ValidationProblem(errors, detail: detail, title: "Invalid request");
}

/// <summary>Turns bad input that only shows up deep inside (a malformed continuation token, say) into 400, not 500.</summary>
public sealed class ApiBadInputFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or JsonException
                                      or StorageException { Kind: StorageErrorKind.BadRequest })
        {
            return ApiProblems.BadRequest(e is StorageException ? "The request could not be processed: " + e.Message : e.Message);
        }
    }
}

/// <summary>Reads request bodies and query values without letting bad input become an exception.</summary>
public static class ApiInput
{
    public static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        if (request.ContentLength is 0)
            return (null, ApiProblems.BadRequest("The request body is empty; send a JSON object."));
        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
            return (null, ApiProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the body as application/json."));
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, ApiJson.Options, ct);
            return value is null ? (null, ApiProblems.BadRequest("The request body is empty; send a JSON object.")) : (value, null);
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 0 } path ? $" at {path}" : "";
            return (null, ApiProblems.BadRequest($"The request body is not valid JSON for this operation{where}: {e.Message.Split('.')[0]}."));
        }
    }

    public static (int Value, IResult? Problem) PageSize(string? raw, int fallback, int max)
    {
        if (string.IsNullOrEmpty(raw)) return (fallback, null);
        return int.TryParse(raw, out var size) && size >= 1 && size <= max
            ? (size, null)
            : (0, ApiProblems.BadRequest($"pageSize must be a whole number from 1 to {max}."));
    }

    public static (bool Value, IResult? Problem) Flag(string? raw, string name)
    {
        if (string.IsNullOrEmpty(raw)) return (false, null);
        return bool.TryParse(raw, out var flag) ? (flag, null) : (false, ApiProblems.BadRequest($"{name} must be true or false."));
    }
}

public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = StoreJson.Options;
}

/// <summary>JSON success responses written with <see cref="ApiJson.Options"/> (camelCase, enums by name).</summary>
public static class ApiResults
{
    public static IResult Ok<T>(T value) => Results.Json(value, ApiJson.Options);

    public static IResult Status<T>(T value, int status) => Results.Json(value, ApiJson.Options, statusCode: status);

    public static IResult Created<T>(string location, T value) => new CreatedJson<T>(location, value);

    private sealed class CreatedJson<T>(string location, T value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return Results.Json(value, ApiJson.Options, statusCode: StatusCodes.Status201Created).ExecuteAsync(httpContext);
        }
    }
}
