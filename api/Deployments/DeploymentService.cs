using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Deployments;

/// <summary>Starts, changes and reads deployments. Business outcomes are results, never exceptions.</summary>
public interface IDeploymentService
{
    /// <summary>
    /// Checks module, inputs, dependencies and credits, then creates and charges the deployment exactly once per
    /// <paramref name="idempotencyKey"/> (a repeated key returns <see cref="StartDeploymentResult.Duplicate"/>).
    /// </summary>
    Task<StartDeploymentResult> StartAsync(StartDeploymentRequest request, string? idempotencyKey, CancellationToken ct = default);

    /// <summary>Re-applies with changed inputs; only <c>updatesafe</c> inputs may change.</summary>
    Task<DeploymentCommandResult> UpdateAsync(DeploymentCaller caller, string deploymentId, JsonObject changes, CancellationToken ct = default);

    /// <summary>Destroys the deployment's resources through the runner, then marks it Deleted.</summary>
    Task<DeploymentCommandResult> DeleteAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default);

    /// <summary>Forgets the deployment without destroying anything; only for modules with <c>enable_purge</c>.</summary>
    Task<DeploymentCommandResult> PurgeAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default);

    /// <summary>Cancels a queued or waiting deployment (refunded), or a running one (stopped) or one whose runner is gone.</summary>
    Task<DeploymentCommandResult> CancelAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default);

    Task<DeploymentView?> GetAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default);

    /// <summary>The caller's deployments (or everyone's for an admin with <paramref name="all"/>), newest first.</summary>
    Task<DeploymentList> ListAsync(DeploymentCaller caller, bool all, DeploymentState? state, string? continuationToken,
        int pageSize = 20, CancellationToken ct = default);

    /// <summary>Full log lines, oldest first; null when the caller cannot see the deployment.</summary>
    Task<LogPage?> GetLogsAsync(DeploymentCaller caller, string deploymentId, string? continuationToken, int pageSize = 20,
        CancellationToken ct = default);
}

/// <summary>Who acts on deployments: a partner sees its own; an admin may see and act on everyone's.</summary>
public sealed record DeploymentCaller(string UserId, bool IsAdmin);

public sealed record DeploymentList(IReadOnlyList<DeploymentView> Items, string? ContinuationToken);

public sealed class DeploymentService(
    DeploymentRepository repository,
    IModuleCatalog catalog,
    ICreditLedger ledger,
    DeploymentSecrets secrets,
    DeploymentLogs logs,
    DeploymentSignal signal,
    RunningDeployments running,
    TimeProvider clock,
    ILogger<DeploymentService> logger) : IDeploymentService
{
    public async Task<StartDeploymentResult> StartAsync(StartDeploymentRequest request, string? idempotencyKey,
        CancellationToken ct = default)
    {
        var id = idempotencyKey is { Length: > 0 }
            ? StoreJson.StableId("dep-", request.PartnerId, idempotencyKey)
            : "dep-" + Guid.NewGuid().ToString("N")[..24];

        var existing = await repository.GetAsync(request.PartnerId, id, ct);
        if (existing is { Deployment.Charged: true }) return new StartDeploymentResult.Duplicate(DeploymentView.From(existing.Deployment));
        if (existing is not null) return await FinishChargeAsync(existing.Deployment, createdHere: false, ct);

        var module = await catalog.FindAsync(request.Viewer, request.ModuleName, request.ModuleOwner, ct);
        if (module is null) return new StartDeploymentResult.ModuleNotFound(request.ModuleName);

        var errors = DeploymentInputs.Validate(module.Model, module.Files, request.Inputs);
        if (errors.Count > 0) return new StartDeploymentResult.InvalidInputs(errors);

        var (missing, inProgress) = await CheckDependenciesAsync(request.PartnerId, module.Model.Metadata.Dependencies, ct);
        if (missing.Count > 0) return new StartDeploymentResult.DependencyMissing(missing);

        var cost = module.Owner == request.PartnerId ? 0 : module.Model.Metadata.CreditCost;
        var policy = module.Model.Metadata.RequireCreditPurchases ? SpendPolicy.PurchasedOnly : SpendPolicy.AnyBucket;
        if (cost > 0)
        {
            var balance = await ledger.GetBalanceAsync(request.PartnerId, ct);
            if (balance.Available(policy) < cost)
                return new StartDeploymentResult.InsufficientCredits(cost, balance.Available(policy), policy == SpendPolicy.PurchasedOnly);
        }

        var deployment = NewDeployment(id, request, module, cost, policy, inProgress.Count > 0, idempotencyKey);
        try
        {
            await repository.CreateAsync(deployment, ct);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
            var winner = await repository.GetAsync(request.PartnerId, id, ct);
            if (winner is null) return await StartAsync(request, idempotencyKey, ct);
            return winner.Deployment.Charged
                ? new StartDeploymentResult.Duplicate(DeploymentView.From(winner.Deployment))
                : await FinishChargeAsync(winner.Deployment, createdHere: false, ct);
        }
        return await FinishChargeAsync(deployment, createdHere: true, ct);
    }

    /// <summary>
    /// Second half of a start: debit with reference <c>deployment:ID</c> (idempotent), then activate. Also used to
    /// finish a start that stopped half-way (see <see cref="RecoverUnchargedAsync"/>).
    /// </summary>
    private async Task<StartDeploymentResult> FinishChargeAsync(Deployment deployment, bool createdHere, CancellationToken ct)
    {
        if (deployment.Cost > 0)
        {
            var policy = deployment.RequirePurchasedCredits ? SpendPolicy.PurchasedOnly : SpendPolicy.AnyBucket;
            var debit = await ledger.DebitAsync(deployment.PartnerId, deployment.Cost, policy, deployment.ChargeReference,
                deployment.CreatedBy, ct);
            if (debit is DebitResult.Insufficient insufficient)
            {
                await repository.DeleteAsync(deployment.PartnerId, deployment.Id, null, ct);
                return new StartDeploymentResult.InsufficientCredits(insufficient.Cost, insufficient.Available,
                    policy == SpendPolicy.PurchasedOnly);
            }
        }

        var now = clock.GetUtcNow();
        var (stored, changed) = await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
        {
            if (d.Charged) return null;
            var first = d.State == DeploymentState.Waiting
                ? "Waiting for a prerequisite deployment to finish."
                : "Queued.";
            var activated = (d with { Charged = true }).Record(d.State, first, d.CreatedBy, now);
            return d.State == DeploymentState.Queued ? activated.MakeRunnable(DeploymentAction.Apply, now) : activated;
        }, ct);
        if (stored is null)
            throw new StorageException(StorageErrorKind.NotFound, $"Deployment {deployment.Id} disappeared while it was being started.");

        signal.Wake();
        var view = DeploymentView.From(stored.Deployment);
        if (changed)
            logger.LogInformation("Deployment {DeploymentId} of {Module} for {PartnerId} started (cost {Cost}).",
                deployment.Id, deployment.Module.Name, deployment.PartnerId, deployment.Cost);
        // Exactly one caller created the record; whoever happened to activate it, that caller reports Started.
        return createdHere ? new StartDeploymentResult.Started(view) : new StartDeploymentResult.Duplicate(view);
    }

    /// <summary>Finishes (or undoes) starts that were interrupted between creating the record and charging it.</summary>
    public async Task<int> RecoverUnchargedAsync(TimeSpan olderThan, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().Subtract(olderThan).ToUnixTimeMilliseconds();
        var stuck = await repository.ScanAsync(
            [FieldFilter.Eq("/charged", false), FieldFilter.Le("/createdAtMs", cutoff)], "/createdAtMs", 200, ct);
        foreach (var deployment in stuck)
        {
            var result = await FinishChargeAsync(deployment.Deployment, createdHere: false, ct);
            logger.LogInformation("Recovered the interrupted start of deployment {DeploymentId}: {Result}.",
                deployment.Deployment.Id, result.GetType().Name);
        }
        return stuck.Count;
    }

    private Deployment NewDeployment(string id, StartDeploymentRequest request, CatalogModule module, decimal cost,
        SpendPolicy policy, bool waiting, string? idempotencyKey)
    {
        var now = clock.GetUtcNow();
        var sensitive = DeploymentInputs.InputVariables(module.Model).Where(v => v.Sensitive).Select(v => v.Name)
            .ToHashSet(StringComparer.Ordinal);
        return new Deployment
        {
            Id = id,
            PartnerId = request.PartnerId,
            CreatedBy = request.Viewer.UserId,
            Module = new ModuleReference(module.Name, module.Owner),
            State = waiting ? DeploymentState.Waiting : DeploymentState.Queued,
            Inputs = request.Inputs.Where(kv => !sensitive.Contains(kv.Key))
                .ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone(), StringComparer.Ordinal),
            ProtectedInputs = request.Inputs.Where(kv => sensitive.Contains(kv.Key))
                .ToDictionary(kv => kv.Key, kv => secrets.Protect(kv.Value), StringComparer.Ordinal),
            Dependencies = [.. module.Model.Metadata.Dependencies],
            Conversation = request.Conversation?.DeepClone(),
            Cost = cost,
            RequirePurchasedCredits = policy == SpendPolicy.PurchasedOnly,
            Charged = false,
            IdempotencyKey = idempotencyKey,
            CreatedAt = now,
            CreatedAtMs = now.ToUnixTimeMilliseconds(),
            UpdatedAt = now,
        };
    }

    /// <summary>Which dependencies have no successful deployment, and which have one still in progress.</summary>
    public async Task<(IReadOnlyList<string> Missing, IReadOnlyList<string> Running)> CheckDependenciesAsync(string partnerId,
        IReadOnlyList<string> dependencies, CancellationToken ct)
    {
        var missing = new List<string>();
        var inProgress = new List<string>();
        foreach (var dependency in dependencies.Distinct(StringComparer.Ordinal))
        {
            // Every page: a page may be short before the end (Cosmos DB), and a success may sit on a later one.
            var items = new List<StoredDeployment>();
            string? continuation = null;
            do
            {
                var (page, next) = await repository.QueryAsync(partnerId,
                    [FieldFilter.Eq("/module/name", dependency), FieldFilter.Eq("/charged", true),
                     DeploymentRepository.StateIn(DeploymentState.Success, DeploymentState.Queued, DeploymentState.Pending,
                         DeploymentState.Working, DeploymentState.Waiting)],
                    null, false, 20, continuation, ct);
                items.AddRange(page);
                continuation = next;
            } while (continuation is not null && !items.Any(d => d.Deployment.State == DeploymentState.Success));
            if (items.Any(d => d.Deployment.State == DeploymentState.Success)) continue;
            if (items.Any(d => d.Deployment.Action != DeploymentAction.Destroy)) inProgress.Add(dependency);
            else missing.Add(dependency);
        }
        return (missing, inProgress);
    }

    public async Task<DeploymentCommandResult> UpdateAsync(DeploymentCaller caller, string deploymentId, JsonObject changes,
        CancellationToken ct = default)
    {
        var current = await LoadAsync(caller, deploymentId, ct);
        if (current is null) return new DeploymentCommandResult.NotFound(deploymentId);
        var deployment = current.Deployment;
        if (deployment.State is not (DeploymentState.Success or DeploymentState.Failure or DeploymentState.Timeout
            or DeploymentState.InternalError))
            return new DeploymentCommandResult.NotAllowed($"A deployment that is {deployment.State} cannot be updated.");

        var module = await catalog.GetAsync(deployment.Module.Owner, deployment.Module.Name, ct);
        if (module is null)
            return new DeploymentCommandResult.NotAllowed($"The module {deployment.Module.Name} is no longer in the catalog.");

        var variables = DeploymentInputs.InputVariables(module.Model).ToDictionary(v => v.Name, StringComparer.Ordinal);
        var errors = changes.Where(kv => variables.TryGetValue(kv.Key, out var v) && !v.UpdateSafe)
            .Select(kv => new InputError(kv.Key, $"'{kv.Key}' cannot be changed after deployment.")).ToList();
        if (errors.Count > 0) return new DeploymentCommandResult.InvalidInputs(errors);

        var merged = CurrentInputs(deployment);
        foreach (var (name, value) in changes) merged[name] = value?.DeepClone();
        errors = [.. DeploymentInputs.Validate(module.Model, module.Files, merged)];
        if (errors.Count > 0) return new DeploymentCommandResult.InvalidInputs(errors);

        var now = clock.GetUtcNow();
        var sensitive = variables.Values.Where(v => v.Sensitive).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var (stored, changed) = await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
        {
            var queued = d.Transition(DeploymentState.Queued, "Update queued.", caller.UserId, now);
            if (queued is null || d.Sequence != deployment.Sequence) return null;
            var inputs = new Dictionary<string, JsonNode?>(d.Inputs, StringComparer.Ordinal);
            var protectedInputs = new Dictionary<string, string>(d.ProtectedInputs, StringComparer.Ordinal);
            foreach (var (name, value) in changes)
            {
                if (sensitive.Contains(name)) protectedInputs[name] = secrets.Protect(value);
                else inputs[name] = value?.DeepClone();
            }
            return (queued with { Inputs = inputs, ProtectedInputs = protectedInputs }).MakeRunnable(DeploymentAction.Update, now);
        }, ct);
        if (stored is null) return new DeploymentCommandResult.NotFound(deploymentId);
        if (!changed) return new DeploymentCommandResult.NotAllowed("The deployment changed meanwhile; try again.");
        signal.Wake();
        return new DeploymentCommandResult.Done(DeploymentView.From(stored.Deployment));
    }

    public async Task<DeploymentCommandResult> DeleteAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default)
    {
        var current = await LoadAsync(caller, deploymentId, ct);
        if (current is null) return new DeploymentCommandResult.NotFound(deploymentId);
        var now = clock.GetUtcNow();
        var nothingApplied = current.Deployment.Builds.Count == 0;
        var (stored, changed) = await repository.UpdateAsync(current.Deployment.PartnerId, deploymentId, d =>
        {
            if (!d.State.IsSettled()) return null;
            if (d.Builds.Count == 0)
                return d.Transition(DeploymentState.Deleted, "Deleted; it had never run, so there was nothing to destroy.", caller.UserId, now);
            return d.Transition(DeploymentState.Deleting, "Destroy queued.", caller.UserId, now)?.MakeRunnable(DeploymentAction.Destroy, now);
        }, ct);
        if (stored is null) return new DeploymentCommandResult.NotFound(deploymentId);
        if (!changed)
            return new DeploymentCommandResult.NotAllowed($"A deployment that is {stored.Deployment.State} cannot be deleted now.");
        if (!nothingApplied) signal.Wake();
        return new DeploymentCommandResult.Done(DeploymentView.From(stored.Deployment));
    }

    public async Task<DeploymentCommandResult> PurgeAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default)
    {
        var current = await LoadAsync(caller, deploymentId, ct);
        if (current is null) return new DeploymentCommandResult.NotFound(deploymentId);
        var module = await catalog.GetAsync(current.Deployment.Module.Owner, current.Deployment.Module.Name, ct);
        if (module?.Model.Metadata.EnablePurge != true && !caller.IsAdmin)
            return new DeploymentCommandResult.NotAllowed($"The module {current.Deployment.Module.Name} does not allow purging.");

        var now = clock.GetUtcNow();
        var (stored, changed) = await repository.UpdateAsync(current.Deployment.PartnerId, deploymentId, d =>
            d.State.IsSettled()
                ? d.Transition(DeploymentState.Deleted, "Purged: the record was removed; its resources were not destroyed.", caller.UserId, now)
                : null, ct);
        if (stored is null) return new DeploymentCommandResult.NotFound(deploymentId);
        if (!changed)
            return new DeploymentCommandResult.NotAllowed($"A deployment that is {stored.Deployment.State} cannot be purged now.");
        return new DeploymentCommandResult.Done(DeploymentView.From(stored.Deployment));
    }

    public async Task<DeploymentCommandResult> CancelAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default)
    {
        var current = await LoadAsync(caller, deploymentId, ct);
        if (current is null) return new DeploymentCommandResult.NotFound(deploymentId);
        var deployment = current.Deployment;
        var now = clock.GetUtcNow();

        // A queued or waiting deployment has not started; a running one whose lease lapsed has no runner left (stuck).
        var stuck = deployment.State is DeploymentState.Pending or DeploymentState.Working or DeploymentState.Deleting
            && !running.IsRunningHere(deploymentId)
            && (deployment.Lease is null || deployment.Lease.UntilMs < now.ToUnixTimeMilliseconds());
        if (deployment.State is DeploymentState.Queued or DeploymentState.Waiting || stuck)
        {
            var (stored, changed) = await repository.UpdateAsync(deployment.PartnerId, deploymentId, d =>
                d.Sequence == deployment.Sequence
                    ? d.Transition(DeploymentState.Cancelled, stuck ? "Cancelled; its runner had stopped." : "Cancelled before it ran.", caller.UserId, now) is { } cancelled
                        ? cancelled with { Runnable = false, Lease = null }
                        : null
                    : null, ct);
            if (stored is null) return new DeploymentCommandResult.NotFound(deploymentId);
            if (!changed) return new DeploymentCommandResult.NotAllowed("The deployment changed meanwhile; try again.");
            if (stored.Deployment.Builds.Count == 0 && stored.Deployment.Cost > 0)
                await ledger.RefundAsync(stored.Deployment.PartnerId, stored.Deployment.ChargeReference, caller.UserId, ct);
            return new DeploymentCommandResult.Done(DeploymentView.From(stored.Deployment));
        }

        if (running.RequestCancel(deploymentId))
        {
            var refreshed = await repository.GetAsync(deployment.PartnerId, deploymentId, ct);
            return new DeploymentCommandResult.Done(DeploymentView.From((refreshed ?? current).Deployment));
        }
        return new DeploymentCommandResult.NotAllowed($"A deployment that is {deployment.State} cannot be cancelled.");
    }

    public async Task<DeploymentView?> GetAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default) =>
        await LoadAsync(caller, deploymentId, ct) is { } stored ? DeploymentView.From(stored.Deployment) : null;

    public async Task<DeploymentList> ListAsync(DeploymentCaller caller, bool all, DeploymentState? state, string? continuationToken,
        int pageSize = 20, CancellationToken ct = default)
    {
        var filters = new List<FieldFilter> { FieldFilter.Eq("/charged", true) };
        if (state is { } wanted) filters.Add(DeploymentRepository.StateIs(wanted));
        var (items, continuation) = await repository.QueryAsync(all && caller.IsAdmin ? null : caller.UserId, filters,
            "/createdAtMs", true, Math.Clamp(pageSize, 1, 100), continuationToken, ct);
        return new DeploymentList(items.Select(d => DeploymentView.From(d.Deployment)).ToList(), continuation);
    }

    public async Task<LogPage?> GetLogsAsync(DeploymentCaller caller, string deploymentId, string? continuationToken, int pageSize = 20,
        CancellationToken ct = default)
    {
        if (await LoadAsync(caller, deploymentId, ct) is null) return null;
        return await logs.ReadAsync(deploymentId, continuationToken, pageSize, ct);
    }

    /// <summary>The deployment when the caller may see it: their own, or any for an admin.</summary>
    private async Task<StoredDeployment?> LoadAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct)
    {
        var own = await repository.GetAsync(caller.UserId, deploymentId, ct);
        if (own is not null) return own.Deployment.Charged ? own : null;
        if (!caller.IsAdmin) return null;
        var any = await repository.FindAsync(deploymentId, ct);
        return any is { Deployment.Charged: true } ? any : null;
    }

    /// <summary>All inputs with sensitive ones decrypted (for the runner and for re-validation on update).</summary>
    public JsonObject CurrentInputs(Deployment deployment)
    {
        var inputs = new JsonObject();
        foreach (var (name, value) in deployment.Inputs) inputs[name] = value?.DeepClone();
        foreach (var (name, value) in deployment.ProtectedInputs) inputs[name] = secrets.Unprotect(value);
        return inputs;
    }
}
