using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Api.Deployments.Versions;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Telemetry;

namespace PartnerBot.Api.Deployments;

/// <summary>Starts, changes and reads deployments. Business outcomes are results, never exceptions.</summary>
public interface IDeploymentService
{
    /// <summary>
    /// Checks module, inputs, dependencies and credits, then creates and charges the deployment exactly once per
    /// <paramref name="idempotencyKey"/> (a repeated key returns <see cref="StartDeploymentResult.Duplicate"/>).
    /// </summary>
    Task<StartDeploymentResult> StartAsync(StartDeploymentRequest request, string? idempotencyKey, CancellationToken ct = default);

    /// <summary>
    /// Plans an update with changed inputs (only <c>updatesafe</c> inputs may change) on the deployment's module version,
    /// or with <paramref name="upgrade"/> on the catalog's current version of the module.
    /// </summary>
    Task<DeploymentCommandResult> UpdateAsync(DeploymentCaller caller, string deploymentId, JsonObject changes, CancellationToken ct = default,
        bool upgrade = false);

    /// <summary>Applies the saved plan of a deployment waiting in PlanReady; an expired or stale plan is refused.</summary>
    Task<DeploymentCommandResult> ApplyAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default);

    /// <summary>Drops the saved plan of a deployment waiting in PlanReady; a first deployment is refunded, once.</summary>
    Task<DeploymentCommandResult> DiscardAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default);

    /// <summary>Plans the failed action again with the same inputs (the credits already charged are kept, not taken again).</summary>
    Task<DeploymentCommandResult> RetryAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default);

    /// <summary>What moving to the catalog's version of the module would change; null when there is none newer.</summary>
    Task<ModuleUpgrade?> GetUpgradeAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default);

    /// <summary>Plans the destroy of the deployment's resources; once that plan is applied the deployment is Deleted.</summary>
    Task<DeploymentCommandResult> DeleteAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default);

    /// <summary>Forgets the deployment without destroying anything; only for modules with <c>enable_purge</c>.</summary>
    Task<DeploymentCommandResult> PurgeAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default);

    /// <summary>
    /// Cancels a queued or waiting deployment or a waiting plan (a first deployment is refunded), a running one (stopped),
    /// or one whose runner is gone.
    /// </summary>
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
    ModuleVersions versions,
    DeploymentPlans plans,
    TerraformStateStore states,
    IOptions<DeploymentOptions> options,
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
        var balance = await ledger.GetBalanceAsync(request.PartnerId, ct);
        // Even a free deployment waits: the partner owes the credits of a payment that was refunded or disputed.
        if (balance.Owes) return new StartDeploymentResult.BalanceOwed(balance.Total);
        if (cost > 0 && balance.Available(policy) < cost)
            return new StartDeploymentResult.InsufficientCredits(cost, balance.Available(policy), policy == SpendPolicy.PurchasedOnly);

        var version = await versions.PinAsync(module, clock.GetUtcNow(), ct);
        var deployment = NewDeployment(id, request, module, version, cost, policy, inProgress.Count > 0, idempotencyKey);
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
    /// Second half of a start: reserve the cost (debit with reference <c>deployment:ID</c>, idempotent), then activate;
    /// the reservation is kept once the apply starts and given back if the deployment ends before. Also used to
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

    private Deployment NewDeployment(string id, StartDeploymentRequest request, CatalogModule module, ModuleVersion version,
        decimal cost, SpendPolicy policy, bool waiting, string? idempotencyKey)
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
            Version = version,
            Conversation = request.Conversation?.DeepClone(),
            Cost = cost,
            RequirePurchasedCredits = policy == SpendPolicy.PurchasedOnly,
            Charged = false,
            IdempotencyKey = idempotencyKey,
            TraceParent = TraceContext.Current(),
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
                         DeploymentState.Planning, DeploymentState.PlanReady, DeploymentState.Working, DeploymentState.Waiting)],
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
        CancellationToken ct = default, bool upgrade = false)
    {
        var current = await LoadAsync(caller, deploymentId, ct);
        if (current is null) return new DeploymentCommandResult.NotFound(deploymentId);
        var deployment = current.Deployment;
        if (deployment.State is not (DeploymentState.Success or DeploymentState.Failure or DeploymentState.Timeout
            or DeploymentState.InternalError) || deployment.ChargedAt is null && deployment.Version is not null)
            return new DeploymentCommandResult.NotAllowed($"A deployment that is {deployment.State} cannot be updated.");

        var pinned = await PinnedModuleAsync(deployment, ct);
        if (pinned is null)
            return new DeploymentCommandResult.NotAllowed($"The module version of {deployment.Module.Name} is no longer available.");
        var target = pinned;
        if (upgrade)
        {
            var latest = await catalog.GetAsync(deployment.Module.Owner, deployment.Module.Name, ct);
            if (latest is null)
                return new DeploymentCommandResult.NotAllowed($"The module {deployment.Module.Name} is no longer in the catalog; it keeps version {pinned.Version.Short}.");
            var version = await versions.PinAsync(latest, clock.GetUtcNow(), ct);
            target = new PinnedModule(version, latest.Model, latest.Files);
        }
        if (changes.Count == 0 && target.Version.ContentHash == pinned.Version.ContentHash)
            return new DeploymentCommandResult.NotAllowed("Nothing to update: no input changes and no newer module version.");

        var variables = DeploymentInputs.InputVariables(target.Model).ToDictionary(v => v.Name, StringComparer.Ordinal);
        var errors = changes.Where(kv => variables.TryGetValue(kv.Key, out var v) && !v.UpdateSafe)
            .Select(kv => new InputError(kv.Key, $"'{kv.Key}' cannot be changed after deployment.")).ToList();
        if (errors.Count > 0) return new DeploymentCommandResult.InvalidInputs(errors);

        // Inputs the new version no longer declares are dropped; everything else carries over.
        var merged = new JsonObject();
        foreach (var (name, value) in CurrentInputs(deployment).Where(kv => variables.ContainsKey(kv.Key))) merged[name] = value?.DeepClone();
        foreach (var (name, value) in changes) merged[name] = value?.DeepClone();
        errors = [.. DeploymentInputs.Validate(target.Model, target.Files, merged)];
        if (errors.Count > 0) return new DeploymentCommandResult.InvalidInputs(errors);

        var now = clock.GetUtcNow();
        var sensitive = variables.Values.Where(v => v.Sensitive).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var pending = new PendingUpdate(
            merged.Where(kv => !sensitive.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone(), StringComparer.Ordinal),
            merged.Where(kv => sensitive.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => secrets.Protect(kv.Value), StringComparer.Ordinal),
            target.Version);
        var what = target.Version.ContentHash == pinned.Version.ContentHash
            ? "Update queued."
            : $"Update to module version {target.Version.Short} queued.";
        var (stored, changed) = await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
        {
            if (d.Sequence != deployment.Sequence) return null;
            var queued = d.Transition(DeploymentState.Queued, what, caller.UserId, now);
            return queued is null ? null : (queued with { Pending = pending, ResumeState = d.State, Plan = null })
                .MakeRunnable(DeploymentAction.Update, now);
        }, ct);
        if (stored is null) return new DeploymentCommandResult.NotFound(deploymentId);
        if (!changed) return new DeploymentCommandResult.NotAllowed("The deployment changed meanwhile; try again.");
        signal.Wake();
        return new DeploymentCommandResult.Done(DeploymentView.From(stored.Deployment));
    }

    /// <summary>The module version a deployment of the caller runs (its files and model), whether or not it is still in the catalog.</summary>
    public async Task<PinnedModule?> GetModuleAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default) =>
        await LoadAsync(caller, deploymentId, ct) is { } current ? await PinnedModuleAsync(current.Deployment, ct) : null;

    public async Task<ModuleUpgrade?> GetUpgradeAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default)
    {
        var current = await LoadAsync(caller, deploymentId, ct);
        if (current is null || current.Deployment.State == DeploymentState.Deleted) return null;
        var latest = await catalog.GetAsync(current.Deployment.Module.Owner, current.Deployment.Module.Name, ct);
        var pinned = await PinnedModuleAsync(current.Deployment, ct);
        return latest is null || pinned is null ? null : ModuleUpgrade.Between(pinned, latest);
    }

    /// <summary>
    /// The module version the deployment runs. A deployment started before versions were kept is pinned to the catalog's
    /// current files on first use.
    /// </summary>
    public async Task<PinnedModule?> PinnedModuleAsync(Deployment deployment, CancellationToken ct, ModuleVersion? version = null)
    {
        version ??= deployment.Version;
        if (version is null)
        {
            var module = await catalog.GetAsync(deployment.Module.Owner, deployment.Module.Name, ct);
            if (module is null) return null;
            version = await versions.PinAsync(module, clock.GetUtcNow(), ct);
            await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d => d.Version is null ? d with { Version = version } : null, ct);
        }
        return await versions.LoadAsync(deployment.Module.Name, version, ct);
    }

    public async Task<DeploymentCommandResult> ApplyAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default)
    {
        var current = await LoadAsync(caller, deploymentId, ct);
        if (current is null) return new DeploymentCommandResult.NotFound(deploymentId);
        var deployment = current.Deployment;
        if (deployment.State != DeploymentState.PlanReady || deployment.Plan is not { } plan)
            return new DeploymentCommandResult.NotAllowed(deployment.State == DeploymentState.Queued && deployment.Step == DeploymentStep.Apply
                ? "The plan is already being applied."
                : $"There is no plan waiting to be applied: the deployment is {deployment.State}.");

        var now = clock.GetUtcNow();
        if (await WhyPlanCannotApplyAsync(deployment, plan, ct) is { } stale)
        {
            var expired = await ExpirePlanAsync(current, "system", ct, stale);
            var refunded = expired?.Refunded is > 0 ? " " + DeploymentChanges.RefundText(expired.Refunded.Value) : "";
            return new DeploymentCommandResult.NotAllowed(stale + refunded);
        }

        var (stored, changed) = await repository.UpdateAsync(deployment.PartnerId, deploymentId, d =>
            d.State == DeploymentState.PlanReady && d.Plan?.Id == plan.Id
                ? d.Transition(DeploymentState.Queued, $"Plan approved: {plan.Summary.Text}. Queued to apply.", caller.UserId, now)?
                    .MakeRunnable(d.Action, now, step: DeploymentStep.Apply)
                : null, ct);
        if (stored is null) return new DeploymentCommandResult.NotFound(deploymentId);
        if (!changed) return new DeploymentCommandResult.NotAllowed("The plan was applied or discarded meanwhile.");
        signal.Wake();
        return new DeploymentCommandResult.Done(DeploymentView.From(stored.Deployment));
    }

    public async Task<DeploymentCommandResult> DiscardAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default)
    {
        var current = await LoadAsync(caller, deploymentId, ct);
        if (current is null) return new DeploymentCommandResult.NotFound(deploymentId);
        var plan = current.Deployment.Plan;
        var now = clock.GetUtcNow();
        var (stored, changed) = await repository.UpdateAsync(current.Deployment.PartnerId, deploymentId, d =>
            d.State == DeploymentState.PlanReady
                ? d.DropPlan(DeploymentState.Discarded, "Plan discarded.", caller.UserId, now)
                : null, ct);
        if (stored is null) return new DeploymentCommandResult.NotFound(deploymentId);
        if (!changed)
            return new DeploymentCommandResult.NotAllowed(stored.Deployment.State == DeploymentState.Discarded
                ? "The plan was already discarded."
                : $"There is no plan waiting: the deployment is {stored.Deployment.State}.");
        if (plan is not null) await plans.DeleteAsync(deploymentId, plan.Id, ct);
        var settled = await SettleRefundAsync(stored, ct);
        return new DeploymentCommandResult.Done(DeploymentView.From(settled.Deployment));
    }

    public async Task<DeploymentCommandResult> RetryAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default)
    {
        var current = await LoadAsync(caller, deploymentId, ct);
        if (current is null) return new DeploymentCommandResult.NotFound(deploymentId);
        var deployment = current.Deployment;
        if (deployment.State is not (DeploymentState.Failure or DeploymentState.Timeout or DeploymentState.InternalError
            or DeploymentState.Cancelled))
            return new DeploymentCommandResult.NotAllowed($"A deployment that is {deployment.State} cannot be retried.");
        if (deployment.RefundDue || deployment.Refunded is not null)
            return new DeploymentCommandResult.NotAllowed("This deployment never ran and its credits were refunded; deploy the module again.");

        var now = clock.GetUtcNow();
        var (stored, changed) = await repository.UpdateAsync(deployment.PartnerId, deploymentId, d =>
        {
            if (d.Sequence != deployment.Sequence) return null;
            var queued = d.Transition(DeploymentState.Queued, "Retry queued: planning again with the same inputs.", caller.UserId, now);
            return queued is null ? null : (queued with { Plan = null, ResumeState = d.ResumeState ?? DeploymentState.Failure })
                .MakeRunnable(d.Action, now);
        }, ct);
        if (stored is null) return new DeploymentCommandResult.NotFound(deploymentId);
        if (!changed) return new DeploymentCommandResult.NotAllowed("The deployment changed meanwhile; try again.");
        signal.Wake();
        return new DeploymentCommandResult.Done(DeploymentView.From(stored.Deployment));
    }

    /// <summary>
    /// Why a saved plan may no longer be applied: older than <c>Deployments:PlanTtl</c>, or made against a state version
    /// that is no longer the current one. Null when it may.
    /// </summary>
    public async Task<string?> WhyPlanCannotApplyAsync(Deployment deployment, DeploymentPlan plan, CancellationToken ct)
    {
        if (clock.GetUtcNow() - plan.CreatedAt > options.Value.PlanTtl)
            return $"The plan is older than {Describe(options.Value.PlanTtl)}, so it was not applied. Plan again.";
        if (plan.StateSerial is { } version && options.Value.Backend.Type == TerraformBackendKind.Http
            && (await states.GetHeadAsync(deployment.Id, ct)).Version != version)
            return "The state changed after the plan was made, so the plan is stale and was not applied. Plan again.";
        return null;
    }

    /// <summary>Ends a waiting plan that may no longer be applied: a first deployment becomes Expired (refunded), an update or destroy goes back.</summary>
    public async Task<Deployment?> ExpirePlanAsync(StoredDeployment current, string by, CancellationToken ct, string? reason = null)
    {
        var now = clock.GetUtcNow();
        var plan = current.Deployment.Plan;
        reason ??= $"The plan expired after {Describe(options.Value.PlanTtl)}; plan again.";
        var (stored, changed) = await repository.UpdateAsync(current.Deployment.PartnerId, current.Deployment.Id, d =>
            d.State == DeploymentState.PlanReady && d.Plan?.Id == plan?.Id
                ? d.DropPlan(DeploymentState.Expired, reason, by, now)
                : null, ct);
        if (stored is null) return null;
        if (plan is not null) await plans.DeleteAsync(current.Deployment.Id, plan.Id, ct);
        return changed ? (await SettleRefundAsync(stored, ct)).Deployment : stored.Deployment;
    }

    /// <summary>
    /// Gives back the reservation of a deployment marked <see cref="Deployment.RefundDue"/>: one ledger refund with
    /// reference <c>refund:deployment:ID</c> (the ledger ignores a repeat), then records the amount. The mark is written
    /// with the state change that ends the deployment, so a refund that fails here (or a host that stops first) stays
    /// due and the worker's <see cref="DeploymentWorker.SettleRefundsAsync"/> gives it later, once.
    /// </summary>
    public async Task<StoredDeployment> SettleRefundAsync(StoredDeployment stored, CancellationToken ct)
    {
        var deployment = stored.Deployment;
        if (!deployment.RefundDue || deployment.Refunded is not null) return stored;
        if (deployment.Cost > 0)
        {
            try
            {
                var result = await ledger.RefundAsync(deployment.PartnerId, deployment.ChargeReference, "system", ct);
                logger.LogInformation("Deployment {DeploymentId} ended before its apply: refund {Result}.", deployment.Id, result.GetType().Name);
            }
            catch (StorageException e)
            {
                logger.LogWarning("The refund of deployment {DeploymentId} could not be written ({Reason}); it stays due and is retried.",
                    deployment.Id, e.Kind);
                return stored;
            }
        }
        var (updated, _) = await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
            d.RefundDue && d.Refunded is null ? d with { RefundDue = false, Refunded = d.Cost } : null, ct);
        return updated ?? stored;
    }

    private static string Describe(TimeSpan span) =>
        span.TotalHours >= 1 && span.Minutes == 0 && span.Seconds == 0 ? $"{span.TotalHours:0.#} hour{(span.TotalHours == 1 ? "" : "s")}"
        : span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{span.TotalMinutes:0} minute{(span.TotalMinutes == 1 ? "" : "s")}"
        : $"{span.TotalSeconds:0} second{(span.TotalSeconds == 1 ? "" : "s")}";

    public async Task<DeploymentCommandResult> DeleteAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default)
    {
        var current = await LoadAsync(caller, deploymentId, ct);
        if (current is null) return new DeploymentCommandResult.NotFound(deploymentId);
        var now = clock.GetUtcNow();
        var (stored, changed) = await repository.UpdateAsync(current.Deployment.PartnerId, deploymentId, d =>
        {
            if (!d.State.IsSettled()) return null;
            // Nothing was ever applied (it never reached its apply): there is nothing to destroy.
            if (d.NeverApplied())
                return d.End(DeploymentState.Deleted, "Deleted; nothing had been applied, so there was nothing to destroy.", caller.UserId, now);
            return d.Transition(DeploymentState.Queued, "Destroy queued: planning what will be destroyed.", caller.UserId, now) is { } queued
                ? (queued with { ResumeState = d.State, Plan = null, Pending = null }).MakeRunnable(DeploymentAction.Destroy, now)
                : null;
        }, ct);
        if (stored is null) return new DeploymentCommandResult.NotFound(deploymentId);
        if (!changed)
            return new DeploymentCommandResult.NotAllowed(stored.Deployment.State == DeploymentState.PlanReady
                ? "A plan is waiting: apply or discard it first."
                : $"A deployment that is {stored.Deployment.State} cannot be deleted now.");
        if (stored.Deployment.State == DeploymentState.Deleted) stored = await SettleRefundAsync(stored, ct);
        else signal.Wake();
        return new DeploymentCommandResult.Done(DeploymentView.From(stored.Deployment));
    }

    public async Task<DeploymentCommandResult> PurgeAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default)
    {
        var current = await LoadAsync(caller, deploymentId, ct);
        if (current is null) return new DeploymentCommandResult.NotFound(deploymentId);
        var module = await PinnedModuleAsync(current.Deployment, ct);
        if (module?.Model.Metadata.EnablePurge != true && !caller.IsAdmin)
            return new DeploymentCommandResult.NotAllowed($"The module {current.Deployment.Module.Name} does not allow purging.");

        var now = clock.GetUtcNow();
        var (stored, changed) = await repository.UpdateAsync(current.Deployment.PartnerId, deploymentId, d =>
            d.State.IsSettled()
                ? d.End(DeploymentState.Deleted, "Purged: the record was removed; its resources were not destroyed.", caller.UserId, now)
                : null, ct);
        if (stored is null) return new DeploymentCommandResult.NotFound(deploymentId);
        if (!changed)
            return new DeploymentCommandResult.NotAllowed($"A deployment that is {stored.Deployment.State} cannot be purged now.");
        stored = await SettleRefundAsync(stored, ct);
        return new DeploymentCommandResult.Done(DeploymentView.From(stored.Deployment));
    }

    public async Task<DeploymentCommandResult> CancelAsync(DeploymentCaller caller, string deploymentId, CancellationToken ct = default)
    {
        var current = await LoadAsync(caller, deploymentId, ct);
        if (current is null) return new DeploymentCommandResult.NotFound(deploymentId);
        var deployment = current.Deployment;
        var now = clock.GetUtcNow();

        if (deployment.State == DeploymentState.PlanReady) return await DiscardAsync(caller, deploymentId, ct);

        // A queued or waiting deployment has not started; a running one whose lease lapsed has no runner left (stuck).
        var stuck = deployment.State.IsRunning()
            && !running.IsRunningHere(deploymentId)
            && (deployment.Lease is null || deployment.Lease.UntilMs < now.ToUnixTimeMilliseconds());
        if (deployment.State is DeploymentState.Queued or DeploymentState.Waiting || stuck)
        {
            var (stored, changed) = await repository.UpdateAsync(deployment.PartnerId, deploymentId, d =>
                d.Sequence == deployment.Sequence
                    ? d.End(DeploymentState.Cancelled, stuck ? "Cancelled; its runner had stopped." : "Cancelled before it ran.", caller.UserId, now)
                    : null, ct);
            if (stored is null) return new DeploymentCommandResult.NotFound(deploymentId);
            if (!changed) return new DeploymentCommandResult.NotAllowed("The deployment changed meanwhile; try again.");
            stored = await SettleRefundAsync(stored, ct);
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

    /// <summary>The inputs the next run uses: a pending update's, otherwise the applied ones; sensitive ones decrypted.</summary>
    public JsonObject RunInputs(Deployment deployment)
    {
        if (deployment.Pending is not { } pending) return CurrentInputs(deployment);
        var inputs = new JsonObject();
        foreach (var (name, value) in pending.Inputs) inputs[name] = value?.DeepClone();
        foreach (var (name, value) in pending.ProtectedInputs) inputs[name] = secrets.Unprotect(value);
        return inputs;
    }

    /// <summary>All applied inputs with sensitive ones decrypted (for re-validation on update).</summary>
    public JsonObject CurrentInputs(Deployment deployment)
    {
        var inputs = new JsonObject();
        foreach (var (name, value) in deployment.Inputs) inputs[name] = value?.DeepClone();
        foreach (var (name, value) in deployment.ProtectedInputs) inputs[name] = secrets.Unprotect(value);
        return inputs;
    }
}
