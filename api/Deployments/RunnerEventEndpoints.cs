using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PartnerBot.Api.Deployments.Runners.GitHubActions;
using PartnerBot.Api.Http;

namespace PartnerBot.Api.Deployments;

/// <summary>
/// A runner's report about a deployment (<c>POST /api/deployments/{id}/events</c>), applied at most once per
/// <paramref name="EventId"/>. <c>log</c> carries <paramref name="Lines"/>; <c>outputs</c> carries
/// <paramref name="Outputs"/> in the shape of <c>terraform output -json</c>.
/// </summary>
public sealed record RunnerEvent(string? EventId, string? Type, IReadOnlyList<string>? Lines, JsonObject? Outputs);

public sealed record RunnerEventResponse(string EventId, bool Applied);

public static class RunnerEventEndpoints
{
    public const string SignatureHeader = "X-PartnerBot-Signature";
    /// <summary>An event's upper bound, whatever Http:RequestBodyLimits:RunnerCallbacks says.</summary>
    private const int MaxBodyBytes = 1024 * 1024;

    private static IResult TooLarge() =>
        ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", "Events are limited to 1 MB (and Http:RequestBodyLimits:RunnerCallbacks).");

    /// <summary>Maps the runner callback. It has no API key: the body is signed with the deployment's callback secret.</summary>
    public static IEndpointRouteBuilder MapRunnerEventEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(ApiRoutes.DeploymentEvents, ReceiveAsync).WithName("ReportDeploymentEvent").WithTags("Runners")
            .Accepts<RunnerEvent>("application/json")
            .Produces<RunnerEventResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithRequestBodyLimit(RequestBodyGroup.RunnerCallbacks);
        endpoints.MapRunnerRunEndpoints();
        return endpoints;
    }

    private static async Task<IResult> ReceiveAsync(string id, HttpRequest request, DeploymentSecrets secrets,
        DeploymentRepository repository, DeploymentLogs logs, CancellationToken ct)
    {
        if (!secrets.CallbacksEnabled)
            return ApiProblems.NotFound("Runner callbacks are not enabled (Deployments:GitHubActions:CallbackSecret is empty).");

        using var buffer = new MemoryStream();
        // A body over Http:RequestBodyLimits:RunnerCallbacks is cut off while it streams in (RequestBodyLimitMiddleware answers 413).
        await request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length > MaxBodyBytes) return TooLarge();
        var body = buffer.ToArray();
        if (!secrets.Verify(id, body, request.Headers[SignatureHeader].ToString()))
            return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
                $"The {SignatureHeader} header must be sha256=<hex HMAC-SHA256 of the body with the deployment's callback secret>.");

        RunnerEvent? report;
        try { report = JsonSerializer.Deserialize<RunnerEvent>(body, ApiJson.Options); }
        catch (JsonException e) { return ApiProblems.BadRequest("The event is not valid JSON: " + e.Message.Split('.')[0] + "."); }
        if (report is null || string.IsNullOrWhiteSpace(report.EventId) || report.EventId.Length > 200)
            return ApiProblems.BadRequest("The event needs an eventId (at most 200 characters).");

        var deployment = await repository.FindAsync(id, ct);
        if (deployment is null) return ApiProblems.NotFound($"There is no deployment {id}.");
        var partnerId = deployment.Deployment.PartnerId;

        bool applied;
        switch (report.Type)
        {
            case "log":
                if (report.Lines is not { Count: > 0 } lines) return ApiProblems.BadRequest("A log event needs lines.");
                applied = await logs.AppendAsync(partnerId, id, lines.Select(l => l ?? "").ToList(), report.EventId, ct);
                break;
            case "outputs":
                if (report.Outputs is null) return ApiProblems.BadRequest("An outputs event needs outputs.");
                var outputs = secrets.ProtectOutputs(Runners.LocalTerraformRunner.ParseOutputs(report.Outputs.ToJsonString()));
                var (_, changed) = await repository.UpdateAsync(partnerId, id, d => d.AppliedEvents.Contains(report.EventId)
                    ? null
                    : d with
                    {
                        Outputs = outputs,
                        AppliedEvents = [.. d.AppliedEvents.Append(report.EventId).TakeLast(500)],
                    }, ct);
                applied = changed;
                break;
            default:
                return ApiProblems.BadRequest("type must be \"log\" or \"outputs\".");
        }
        return ApiResults.Status(new RunnerEventResponse(report.EventId, applied), StatusCodes.Status202Accepted);
    }
}
