using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PartnerBot.Bot.Channels.BotFramework;
using PartnerBot.Bot.Hosting;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>
/// <c>POST /api/messages</c>: authenticates the caller, reads the activity (at most 256 KB of JSON) and hands it to
/// the processor. Authentication failures are 401 with nothing processed; bad bodies are 400 problem details.
/// </summary>
internal sealed class TeamsEndpoint(ChannelTokenValidator tokens, TeamsActivityProcessor processor, TrustedServiceUrls trusted,
    BotUrlPolicy urls, IOptions<BotFrameworkOptions> options, ILogger<TeamsEndpoint> log)
{
    /// <summary>
    /// The channel the caller is authenticated for: a signed token vouches for the activity's channel (the key's
    /// endorsements are checked), and only Teams (plus the Emulator in Development) is accepted; an anonymous
    /// loopback caller (Development only) is the Emulator whatever its body says.
    /// </summary>
    private string? AuthenticatedChannel(bool anonymous, string? claimed)
    {
        var channel = claimed?.ToLowerInvariant();
        var accepted = channel == TeamsRoutes.ChannelId || (channel == TeamsRoutes.EmulatorChannelId && urls.IsDevelopment);
        if (!accepted) return null;
        return anonymous ? TeamsRoutes.EmulatorChannelId : channel;
    }

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var ct = http.RequestAborted;
        var anonymous = options.Value.IsAnonymous;
        ChannelIdentity? identity = null;
        if (anonymous)
        {
            // Mapped only in Development without an app id; this guards a host wired up another way.
            if (!urls.IsDevelopment) return Reject("no MicrosoftAppId is configured outside Development");
            if (http.Connection.RemoteIpAddress is not { } ip || !IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip))
                return Reject("no MicrosoftAppId is configured, so only loopback callers are accepted");
        }
        else
        {
            (identity, var failure) = await tokens.ValidateTokenAsync(http.Request.Headers.Authorization.ToString(), ct);
            if (identity is null) return Reject(failure!);
        }

        var (activity, problem) = await ReadActivityAsync(http.Request, ct);
        if (activity is null) return problem!;

        var activityFailure = identity is not null
            ? ChannelTokenValidator.CheckActivity(identity, activity.ChannelId, activity.ServiceUrl)
            : Uri.TryCreate(activity.ServiceUrl, UriKind.Absolute, out var local) && BotUrlPolicy.IsLoopback(local)
                ? null : "anonymous callers may only use a loopback serviceUrl";
        activityFailure ??= urls.IsAllowed(activity.ServiceUrl) ? null : "the serviceUrl scheme is not allowed";
        if (activityFailure is not null) return Reject(activityFailure);

        var channel = AuthenticatedChannel(anonymous, activity.ChannelId);
        if (channel is null)
        {
            log.LogWarning("Refused a Bot Framework activity for channel {Channel}", activity.ChannelId);
            return Results.Problem(statusCode: 403, title: "Forbidden", detail: "This endpoint accepts Microsoft Teams activities only.");
        }
        // Identities and conversation keys come from the authenticated channel, never from the body's claim.
        activity.ChannelId = channel;

        await trusted.TrustAsync(activity.ServiceUrl!, ct);
        var result = await processor.ProcessAsync(activity, ct);
        return result.Body is null
            ? Results.StatusCode(result.Status)
            : Results.Json(result.Body, statusCode: result.Status);
    }

    private IResult Reject(string reason)
    {
        // Never log the token itself.
        log.LogWarning("Rejected a Bot Framework request: {Reason}", reason);
        return Results.Problem(statusCode: 401, title: "Unauthorized", detail: "The request is not authenticated.");
    }

    private async Task<(Activity?, IResult?)> ReadActivityAsync(HttpRequest request, CancellationToken ct)
    {
        if (await JsonRequestBody.ReadBytesAsync(request, TeamsRoutes.MaxActivityBytes, ct) is not { } body) return (null, TooLarge());

        Activity? activity;
        try
        {
            activity = JsonSerializer.Deserialize(body, BotFrameworkJsonContext.Default.Activity);
        }
        catch (JsonException e)
        {
            log.LogInformation("Malformed activity JSON at {Path}", e.Path);
            return (null, BadRequest("The body is not a valid activity JSON document."));
        }

        if (activity is null || string.IsNullOrEmpty(activity.Type))
            return (null, BadRequest("The activity has no type."));
        if (string.IsNullOrEmpty(activity.ServiceUrl) || string.IsNullOrEmpty(activity.Conversation?.Id) || string.IsNullOrEmpty(activity.ChannelId))
            return (null, BadRequest("The activity needs serviceUrl, channelId and conversation.id."));
        if (!Uri.TryCreate(activity.ServiceUrl, UriKind.Absolute, out _))
            return (null, BadRequest("The activity's serviceUrl is not an absolute URL."));
        return (activity, null);
    }

    private static IResult TooLarge() => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large",
        detail: $"The activity is larger than {TeamsRoutes.MaxActivityBytes / 1024} KB (or Http:RequestBodyLimits:Chat).");

    private static IResult BadRequest(string detail) =>
        Results.Problem(statusCode: 400, title: "Invalid activity", detail: detail);
}
