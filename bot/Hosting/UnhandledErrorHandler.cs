using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Bot.Hosting;

/// <summary>
/// The last answer for a request whose handler threw: a problem-details body, never a bare error page. A store that
/// is briefly unreachable or throttling gets 503 with <c>Retry-After</c>, so callers (Bot Connector, Slack, Web Chat)
/// retry; anything else is logged with its trace id and answered 500 without internals.
/// </summary>
internal sealed class UnhandledErrorHandler(IProblemDetailsService problems, ILogger<UnhandledErrorHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (http.Response.HasStarted) return false;
        if (exception is BadHttpRequestException bad)
        {
            // The client's request was bad (a body over the limit, say) in a way the server noticed while reading it.
            http.Response.StatusCode = bad.StatusCode;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = { Status = bad.StatusCode, Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? "Request too large" : "Bad request" },
            });
        }
        var unavailable = exception is StorageException { Kind: StorageErrorKind.Unavailable } or TimeoutException;
        if (unavailable)
        {
            log.LogWarning(exception, "{Method} {Path} failed because the store is unavailable.", http.Request.Method, http.Request.Path);
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = "2";
        }
        else
        {
            log.LogError(exception, "{Method} {Path} failed.", http.Request.Method, http.Request.Path);
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails =
            {
                Status = http.Response.StatusCode,
                Title = unavailable ? "The service is briefly unavailable; try again." : "Something went wrong on our side.",
                Extensions = { ["traceId"] = System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier },
            },
        });
    }
}
