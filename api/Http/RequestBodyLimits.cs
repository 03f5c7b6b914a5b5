using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PartnerBot.Api.Http;

/// <summary>Which limit of <see cref="RequestBodyLimitOptions"/> an endpoint's request body is held to.</summary>
public enum RequestBodyGroup
{
    /// <summary>The REST API (and any endpoint that names no group).</summary>
    Api,
    /// <summary>Chat channels: <c>/api/messages</c>, Slack, Direct Line.</summary>
    Chat,
    /// <summary>Webhooks from other services (Stripe).</summary>
    Webhooks,
    /// <summary>What a runner reports back: events, results.</summary>
    RunnerCallbacks,
    /// <summary>A runner's <c>terraform show -json</c> of its plan.</summary>
    RunnerPlan,
    /// <summary>The endpoint reads its body with a limit of its own (the Terraform state backend).</summary>
    OwnLimit,
}

/// <summary>Endpoint metadata naming the request body limit; the endpoint's own wins over its group's.</summary>
public sealed record RequestBodyLimitMetadata(RequestBodyGroup Group);

/// <summary>
/// The <c>Http:RequestBodyLimits</c> section: the most bytes of request body each kind of endpoint reads. They are
/// enforced while the body streams in, with or without a Content-Length.
/// </summary>
public sealed class RequestBodyLimitOptions
{
    public const string Section = "Http:RequestBodyLimits";
    public const long MinBytes = 1024;
    public const long MaxBytes = 1024L * 1024 * 1024;

    /// <summary>The REST API under <c>/api</c> and every endpoint that names no other limit.</summary>
    public long Api { get; set; } = 1024 * 1024;
    /// <summary>
    /// <c>/api/messages</c>, <c>/api/slack/events</c> and Direct Line. The channels' own protocol limit (256 KB, as Bot
    /// Framework and Slack send at most) still applies when this is set higher.
    /// </summary>
    public long Chat { get; set; } = 256 * 1024;
    /// <summary>The Stripe webhook.</summary>
    public long Webhooks { get; set; } = 256 * 1024;
    /// <summary>Runner events and results (<c>/api/deployments/{id}/events</c>, <c>/api/deployments/{id}/runs/…</c>).</summary>
    public long RunnerCallbacks { get; set; } = 1024 * 1024;
    /// <summary>A runner's plan upload (<c>POST /api/deployments/{id}/runs/{runKey}/plan</c>): large plans are real.</summary>
    public long RunnerPlan { get; set; } = 32L * 1024 * 1024;

    public long For(RequestBodyGroup group) => group switch
    {
        RequestBodyGroup.Chat => Chat,
        RequestBodyGroup.Webhooks => Webhooks,
        RequestBodyGroup.RunnerCallbacks => RunnerCallbacks,
        RequestBodyGroup.RunnerPlan => RunnerPlan,
        _ => Api,
    };

    /// <summary>The first setting out of range, as one line naming the key, or null.</summary>
    public string? Problem()
    {
        foreach (var (name, value) in new[] { (nameof(Api), Api), (nameof(Chat), Chat), (nameof(Webhooks), Webhooks),
                     (nameof(RunnerCallbacks), RunnerCallbacks), (nameof(RunnerPlan), RunnerPlan) })
            if (value is < MinBytes or > MaxBytes)
                return $"{Section}:{name} must be between {MinBytes} and {MaxBytes} bytes (it is {value}).";
        return null;
    }
}

internal sealed class RequestBodyLimitOptionsValidator : IValidateOptions<RequestBodyLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RequestBodyLimitOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}

/// <summary>
/// Holds every request body to its endpoint's limit (<see cref="RequestBodyLimitMetadata"/>, else
/// <see cref="RequestBodyGroup.Api"/>): a declared Content-Length over it is refused before the endpoint runs, and the
/// server's own limit is set to it so a chunked body is cut off while it streams in. Either way the answer is 413 with
/// a problem-details body, never a 500.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<RequestBodyLimitOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        // A refused body is not read to its end, so the connection cannot carry another request: say so, or a client
        // sends its next request on a connection the server is closing and gets "response ended prematurely".
        context.Response.OnStarting(static state =>
        {
            var response = (HttpResponse)state;
            if (response.StatusCode == StatusCodes.Status413PayloadTooLarge) response.Headers.Connection = "close";
            return Task.CompletedTask;
        }, context.Response);
        var group = context.GetEndpoint()?.Metadata.GetMetadata<RequestBodyLimitMetadata>()?.Group ?? RequestBodyGroup.Api;
        if (group == RequestBodyGroup.OwnLimit)
        {
            await next(context);
            return;
        }
        var limit = options.Value.For(group);
        if (context.Request.ContentLength > limit)
        {
            await TooLarge(limit).ExecuteAsync(context);
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limit;
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            context.Response.Clear();
            await TooLarge(limit).ExecuteAsync(context);
        }
    }

    /// <summary>The 413 answer for a body over <paramref name="limit"/> bytes.</summary>
    public static IResult TooLarge(long limit) =>
        ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", $"The request body is limited to {Describe(limit)}.");

    public static string Describe(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MB" : bytes % 1024 == 0 ? $"{bytes / 1024} KB" : $"{bytes} bytes";
}

public static class RequestBodyLimitExtensions
{
    public static IServiceCollection AddRequestBodyLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RequestBodyLimitOptions>().Bind(configuration.GetSection(RequestBodyLimitOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RequestBodyLimitOptions>, RequestBodyLimitOptionsValidator>();
        return services;
    }

    /// <summary>Adds <see cref="RequestBodyLimitMiddleware"/>; after routing, so it sees the endpoint chosen.</summary>
    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app) => app.UseMiddleware<RequestBodyLimitMiddleware>();

    /// <summary>Holds the endpoint's (or the group's) request bodies to <paramref name="group"/>'s limit.</summary>
    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder, RequestBodyGroup group) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyLimitMetadata(group));
}
