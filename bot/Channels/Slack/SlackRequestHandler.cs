using System.Text.Json.Nodes;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Hosting;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>
/// <c>POST /api/slack/events</c>: verifies the signature on the raw body, then answers at once — the URL-verification
/// challenge, a stored input for the worker, a slash-command usage hint, or (for a modal submission) the dialog's
/// answer within <see cref="SubmissionBudget"/>.
/// </summary>
public sealed class SlackRequestHandler(
    SlackSignatureVerifier verifier,
    SlackInbox inbox,
    SlackInboxSanitizer sanitizer,
    SlackTurnProcessor processor,
    ChatRouteTable routes,
    IHostApplicationLifetime lifetime,
    ILogger<SlackRequestHandler> log)
{
    public const int MaxBodyBytes = 256 * 1024;
    public static readonly TimeSpan SubmissionBudget = TimeSpan.FromMilliseconds(2500);

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var ct = http.RequestAborted;
        var body = await JsonRequestBody.ReadBytesAsync(request, MaxBodyBytes, ct);
        if (body is null) return TooLarge();

        // As Slack's Bolt does: the ssl_check probe is answered before verification; it carries no work.
        if (SlackInboundParser.IsSslCheckSafe(request.ContentType, body)) return Results.Ok();

        var check = verifier.Verify(request.Headers["X-Slack-Request-Timestamp"], request.Headers["X-Slack-Signature"], body);
        if (check != SlackSignatureCheck.Valid)
        {
            log.LogWarning("Slack request rejected: {Reason}", check);
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: check == SlackSignatureCheck.NotConfigured
                    ? "Slack is not configured (Slack:SigningSecret is empty)."
                    : "The request does not carry a valid, current Slack signature.");
        }

        if (!SlackInboundParser.TryParse(request.ContentType, body, out var inbound, out var error))
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed Slack request", detail: error);

        try
        {
            return inbound switch
            {
                SlackUrlVerification verification => Results.Json(new JsonObject { ["challenge"] = verification.Challenge }),
                SlackEventCallback callback => await AcceptEventAsync(callback, http, ct),
                SlackInteraction { Type: "block_actions" } interaction => await AcceptAsync(Guid.NewGuid().ToString("N"), SlackInboxKinds.BlockActions, interaction.Payload, http, ct),
                SlackInteraction { Type: "view_closed" } closed => await AcceptAsync(Guid.NewGuid().ToString("N"), SlackInboxKinds.ViewClosed, closed.Payload, http, ct),
                SlackInteraction { Type: "view_submission" } submission => await AnswerSubmissionAsync(submission.Payload),
                SlackSlashCommand command => await AcceptCommandAsync(command, ct),
                _ => Results.Ok(),
            };
        }
        catch (StorageException e)
        {
            // Not stored means not acknowledged: Slack retries events later.
            log.LogError(e, "Slack input could not be stored");
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Storage unavailable",
                detail: "The request could not be stored; please retry.");
        }
    }

    private async Task<IResult> AcceptEventAsync(SlackEventCallback callback, HttpContext http, CancellationToken ct)
    {
        if (SlackTurnMapper.FromEvent(callback.Envelope) is null) return Results.Ok();
        var admission = await inbox.EnqueueAsync(SlackInbox.EventItemId(callback.EventId), SlackInboxKinds.Event,
            sanitizer.ForStorage(SlackInboxKinds.Event, callback.Envelope), ct);
        if (admission == SlackAdmission.AlreadyStored)
            log.LogInformation("Slack event {EventId} redelivered (retry {Retry}); already accepted", callback.EventId,
                http.Request.Headers["X-Slack-Retry-Num"].ToString());
        // Not stored means not acknowledged: Slack delivers the event again later.
        return admission == SlackAdmission.Busy ? Busy(http) : Results.Ok();
    }

    private async Task<IResult> AcceptAsync(string id, string kind, JsonObject payload, HttpContext http, CancellationToken ct) =>
        await inbox.EnqueueAsync(id, kind, sanitizer.ForStorage(kind, payload), ct) == SlackAdmission.Busy ? Busy(http) : Results.Ok();

    private async Task<IResult> AcceptCommandAsync(SlackSlashCommand command, CancellationToken ct)
    {
        if (SlackRoutes.AsSlashCommandText(routes, command.Command, command.Text) is not { } text)
            return Ephemeral($"Unknown command {command.Command}. Usage: {SlackRoutes.SlashCommand} {SlackRoutes.UsageHint(routes)}");
        var first = text.Trim().Split(' ', 2)[0].TrimStart('/').ToLowerInvariant();
        if (first.Length > 0 && !SlackRoutes.IsSubcommand(routes, first))
            return Ephemeral($"I don't know \"{first}\". Usage: {SlackRoutes.SlashCommand} {SlackRoutes.UsageHint(routes)}");
        var fields = command.Fields.DeepClone().AsObject();
        fields["command"] = SlackRoutes.SlashCommand;
        fields["text"] = text;
        return await inbox.EnqueueAsync(Guid.NewGuid().ToString("N"), SlackInboxKinds.SlashCommand,
                sanitizer.ForStorage(SlackInboxKinds.SlashCommand, fields), ct) == SlackAdmission.Busy
            ? Ephemeral("I'm handling a lot of requests right now and could not take this one. Please try again in a minute.")
            : Results.Ok();
    }

    /// <summary>The answer while this instance's backlog is full: Slack retries events; a person sees an error and retries.</summary>
    private IResult Busy(HttpContext http)
    {
        log.LogWarning("Slack input refused: {Held} inputs are waiting on this instance", inbox.Held);
        http.Response.Headers.RetryAfter = "30";
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Busy",
            detail: "Too many Slack inputs are waiting; please retry shortly.");
    }

    /// <summary>
    /// Runs the submission's turn now: the first form step (or validation errors) the dialog shows within the budget
    /// becomes the HTTP answer; if the turn ends without one, or the budget runs out, the modal closes and the turn
    /// carries on, answering through the Web API.
    /// </summary>
    private async Task<IResult> AnswerSubmissionAsync(JsonObject payload)
    {
        if (SlackTurnMapper.FromViewSubmission(payload) is not { SubmittedView: { } submitted } input)
        {
            log.LogWarning("Slack view_submission for a view this bot did not open; closing it");
            return Results.Ok();
        }
        var reply = new SlackSubmissionReply(submitted);
        var turn = Task.Run(() => processor.RunTurnAsync(input, reply, lifetime.ApplicationStopping));
        var budget = Task.Delay(SubmissionBudget);
        await Task.WhenAny(reply.Answer, turn, budget);
        if (!reply.IsOpen) return Answer(await reply.Answer);
        reply.TryClose();
        if (!turn.IsCompleted) log.LogInformation("Slack submission turn {ActivityId} is still running after the budget; closing the modal", input.Turn.ActivityId);
        return Answer(await reply.Answer);
    }

    private static IResult Answer(JsonObject? response) => response is null ? Results.Ok() : Results.Json(response);

    private static IResult Ephemeral(string text) => Results.Json(new JsonObject { ["response_type"] = "ephemeral", ["text"] = text });

    private static IResult TooLarge() => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large",
        detail: $"Slack requests are limited to {MaxBodyBytes / 1024} KB.");
}
