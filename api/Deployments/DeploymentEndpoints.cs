using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Deployments.Versions;
using PartnerBot.Api.Http;

namespace PartnerBot.Api.Deployments;

/// <summary>Body of <c>POST /api/deployments</c>.</summary>
public sealed record StartDeploymentBody(string? Module, JsonObject? Inputs, string? ModuleOwner);

/// <summary>Body of <c>POST /api/deployments/{id}/update</c>: changed inputs, and/or <c>upgrade</c> to the catalog's module version.</summary>
public sealed record UpdateDeploymentBody(JsonObject? Inputs, bool? Upgrade = null);

public sealed record DeploymentListResponse(IReadOnlyList<DeploymentView> Items, string? ContinuationToken);

public sealed record LogResponse(string DeploymentId, IReadOnlyList<string> Lines, string? ContinuationToken);

public static class DeploymentEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static RouteGroupBuilder MapDeploymentEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet(ApiRoutes.Deployments, ListAsync).WithName("ListDeployments").WithTags("Deployments")
            .Produces<DeploymentListResponse>();
        api.MapPost(ApiRoutes.Deployments, StartAsync).WithName("StartDeployment").WithTags("Deployments")
            .Accepts<StartDeploymentBody>("application/json")
            .Produces<DeploymentView>(StatusCodes.Status201Created).Produces<DeploymentView>()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status402PaymentRequired)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet(ApiRoutes.Deployment, GetAsync).WithName("GetDeployment").WithTags("Deployments")
            .Produces<DeploymentView>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet(ApiRoutes.DeploymentLogs, LogsAsync).WithName("GetDeploymentLogs").WithTags("Deployments")
            .Produces<LogResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost(ApiRoutes.DeploymentCancel, CancelAsync).WithName("CancelDeployment").WithTags("Deployments")
            .Produces<DeploymentView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost(ApiRoutes.DeploymentUpdate, UpdateAsync).WithName("UpdateDeployment").WithTags("Deployments")
            .Accepts<UpdateDeploymentBody>("application/json")
            .Produces<DeploymentView>(StatusCodes.Status202Accepted).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost(ApiRoutes.DeploymentApply, ApplyAsync).WithName("ApplyDeploymentPlan").WithTags("Deployments")
            .Produces<DeploymentView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost(ApiRoutes.DeploymentDiscard, DiscardAsync).WithName("DiscardDeploymentPlan").WithTags("Deployments")
            .Produces<DeploymentView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost(ApiRoutes.DeploymentRetry, RetryAsync).WithName("RetryDeployment").WithTags("Deployments")
            .Produces<DeploymentView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet(ApiRoutes.DeploymentUpgrade, UpgradeAsync).WithName("GetDeploymentUpgrade").WithTags("Deployments")
            .Produces<ModuleUpgrade>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete(ApiRoutes.Deployment, DeleteAsync).WithName("DeleteDeployment").WithTags("Deployments")
            .Produces<DeploymentView>().Produces<DeploymentView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static DeploymentCaller Caller(ICurrentCaller caller) => new(caller.UserId, caller.IsAdmin);

    private static DeploymentView Public(DeploymentView view) => view with { Conversation = null };

    private static async Task<IResult> ListAsync(HttpRequest request, ICurrentCaller caller, IDeploymentService deployments,
        CancellationToken ct)
    {
        var (all, allProblem) = ApiInput.Flag(request.Query["all"], "all");
        if (allProblem is not null) return allProblem;
        if (all && !caller.IsAdmin) return ApiProblems.Forbidden("Only admins may list every partner's deployments.");
        var (pageSize, sizeProblem) = ApiInput.PageSize(request.Query["pageSize"], 20, 100);
        if (sizeProblem is not null) return sizeProblem;
        DeploymentState? state = null;
        if (request.Query["state"].ToString() is { Length: > 0 } rawState)
        {
            if (!Enum.TryParse<DeploymentState>(rawState, ignoreCase: true, out var parsed) || int.TryParse(rawState, out _))
                return ApiProblems.BadRequest($"state must be one of {string.Join(", ", Enum.GetNames<DeploymentState>())}.");
            state = parsed;
        }
        var continuation = request.Query["continuationToken"].ToString() is { Length: > 0 } token ? token : null;
        var list = await deployments.ListAsync(Caller(caller), all, state, continuation, pageSize, ct);
        return ApiResults.Ok(new DeploymentListResponse(list.Items.Select(Public).ToList(), list.ContinuationToken));
    }

    private static async Task<IResult> StartAsync(HttpRequest request, ICurrentCaller caller, IDeploymentService deployments,
        CancellationToken ct)
    {
        var (body, problem) = await ApiInput.ReadJsonAsync<StartDeploymentBody>(request, ct);
        if (problem is not null) return problem;
        if (string.IsNullOrWhiteSpace(body!.Module))
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["module"] = ["The module name is required."] },
                "The request is missing the module to deploy.");
        var key = request.Headers[IdempotencyKeyHeader].ToString();
        if (key.Length > 200) return ApiProblems.BadRequest($"{IdempotencyKeyHeader} must be at most 200 characters.");

        var viewer = new CatalogViewer(caller.UserId, caller.Email, caller.IsAdmin);
        var result = await deployments.StartAsync(
            new StartDeploymentRequest(caller.UserId, viewer, body.Module.Trim(), body.Inputs ?? [], body.ModuleOwner), key, ct);
        return result switch
        {
            StartDeploymentResult.Started started =>
                ApiResults.Created($"/api/deployments/{started.Deployment.Id}", Public(started.Deployment)),
            StartDeploymentResult.Duplicate duplicate => ApiResults.Ok(Public(duplicate.Existing)),
            StartDeploymentResult.ModuleNotFound missing => ApiProblems.NotFound($"There is no module called '{missing.ModuleName}' that you can deploy."),
            StartDeploymentResult.InvalidInputs invalid => ApiProblems.Validation(
                invalid.Errors.GroupBy(e => e.Input ?? "inputs").ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
                "Some inputs are not valid; nothing was deployed or charged."),
            StartDeploymentResult.DependencyMissing dependencies => Results.Problem(
                statusCode: StatusCodes.Status409Conflict, title: "Missing prerequisites",
                detail: $"Deploy {string.Join(", ", dependencies.Missing)} first; nothing was deployed or charged.",
                extensions: new Dictionary<string, object?> { ["missing"] = dependencies.Missing }),
            StartDeploymentResult.InsufficientCredits credits => Results.Problem(
                statusCode: StatusCodes.Status402PaymentRequired, title: "Not enough credits",
                detail: credits.PurchasedCreditsRequired
                    ? $"This module needs {credits.Cost} purchased credits; you have {credits.Balance}. Nothing was deployed or charged."
                    : $"This module costs {credits.Cost} credits; you have {credits.Balance}. Nothing was deployed or charged.",
                extensions: new Dictionary<string, object?> { ["cost"] = credits.Cost, ["balance"] = credits.Balance }),
            StartDeploymentResult.BalanceOwed owed => Results.Problem(
                statusCode: StatusCodes.Status402PaymentRequired, title: "Balance below zero",
                detail: $"A payment of yours was refunded or disputed after its credits were spent, so your balance is {owed.Balance}. "
                    + "Buy credits to bring it back to zero or more; until then nothing can be deployed. Nothing was deployed or charged.",
                extensions: new Dictionary<string, object?> { ["balance"] = owed.Balance }),
            _ => throw new InvalidOperationException("Unknown start result."),
        };
    }

    private static async Task<IResult> GetAsync(string id, ICurrentCaller caller, IDeploymentService deployments, CancellationToken ct) =>
        await deployments.GetAsync(Caller(caller), id, ct) is { } view
            ? ApiResults.Ok(Public(view))
            : ApiProblems.NotFound($"There is no deployment {id} that you can see.");

    private static async Task<IResult> LogsAsync(string id, HttpRequest request, ICurrentCaller caller, IDeploymentService deployments,
        CancellationToken ct)
    {
        var (pageSize, sizeProblem) = ApiInput.PageSize(request.Query["pageSize"], 20, 100);
        if (sizeProblem is not null) return sizeProblem;
        var continuation = request.Query["continuationToken"].ToString() is { Length: > 0 } token ? token : null;
        var page = await deployments.GetLogsAsync(Caller(caller), id, continuation, pageSize, ct);
        return page is null
            ? ApiProblems.NotFound($"There is no deployment {id} that you can see.")
            : ApiResults.Ok(new LogResponse(id, page.Lines, page.ContinuationToken));
    }

    private static async Task<IResult> CancelAsync(string id, ICurrentCaller caller, IDeploymentService deployments, CancellationToken ct) =>
        ToResult(await deployments.CancelAsync(Caller(caller), id, ct), StatusCodes.Status200OK);

    private static async Task<IResult> UpdateAsync(string id, HttpRequest request, ICurrentCaller caller, IDeploymentService deployments,
        CancellationToken ct)
    {
        var (body, problem) = await ApiInput.ReadJsonAsync<UpdateDeploymentBody>(request, ct);
        if (problem is not null) return problem;
        var upgrade = body!.Upgrade == true;
        if (body.Inputs is not { Count: > 0 } && !upgrade)
            return ApiProblems.BadRequest("Send the inputs to change in \"inputs\", or \"upgrade\": true to move to the catalog's module version.");
        return ToResult(await deployments.UpdateAsync(Caller(caller), id, body.Inputs ?? [], ct, upgrade), StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> ApplyAsync(string id, ICurrentCaller caller, IDeploymentService deployments, CancellationToken ct) =>
        ToResult(await deployments.ApplyAsync(Caller(caller), id, ct), StatusCodes.Status202Accepted);

    private static async Task<IResult> DiscardAsync(string id, ICurrentCaller caller, IDeploymentService deployments, CancellationToken ct) =>
        ToResult(await deployments.DiscardAsync(Caller(caller), id, ct), StatusCodes.Status200OK);

    private static async Task<IResult> RetryAsync(string id, ICurrentCaller caller, IDeploymentService deployments, CancellationToken ct) =>
        ToResult(await deployments.RetryAsync(Caller(caller), id, ct), StatusCodes.Status202Accepted);

    private static async Task<IResult> UpgradeAsync(string id, ICurrentCaller caller, IDeploymentService deployments, CancellationToken ct)
    {
        if (await deployments.GetAsync(Caller(caller), id, ct) is null) return ApiProblems.NotFound($"There is no deployment {id} that you can see.");
        return await deployments.GetUpgradeAsync(Caller(caller), id, ct) is { } upgrade
            ? ApiResults.Ok(upgrade)
            : ApiProblems.NotFound("The deployment already runs the catalog's version of its module (or the module left the catalog).");
    }

    private static async Task<IResult> DeleteAsync(string id, HttpRequest request, ICurrentCaller caller, IDeploymentService deployments,
        CancellationToken ct)
    {
        var (purge, problem) = ApiInput.Flag(request.Query["purge"], "purge");
        if (problem is not null) return problem;
        var result = purge ? await deployments.PurgeAsync(Caller(caller), id, ct) : await deployments.DeleteAsync(Caller(caller), id, ct);
        var status = result is DeploymentCommandResult.Done { Deployment.State: not DeploymentState.Deleted }
            ? StatusCodes.Status202Accepted
            : StatusCodes.Status200OK;
        return ToResult(result, status);
    }

    private static IResult ToResult(DeploymentCommandResult result, int successStatus) => result switch
    {
        DeploymentCommandResult.Done done => ApiResults.Status(Public(done.Deployment), successStatus),
        DeploymentCommandResult.NotFound notFound => ApiProblems.NotFound($"There is no deployment {notFound.DeploymentId} that you can see."),
        DeploymentCommandResult.NotAllowed notAllowed => ApiProblems.Conflict(notAllowed.Reason),
        DeploymentCommandResult.InvalidInputs invalid => ApiProblems.Validation(
            invalid.Errors.GroupBy(e => e.Input ?? "inputs").ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            "Some inputs are not valid; nothing was changed."),
        _ => throw new InvalidOperationException("Unknown command result."),
    };
}
