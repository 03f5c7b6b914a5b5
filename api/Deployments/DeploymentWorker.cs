using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments.Runners;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Api.Deployments.Versions;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Telemetry;

namespace PartnerBot.Api.Deployments;

/// <summary>
/// Runs queued deployments through the configured <see cref="IDeploymentRunner"/>, one step per claim: a plan (saved
/// encrypted in the store, then PlanReady, or applied at once when approval is off) or the apply of an approved plan.
/// Each claim is a lease on the deployment document, renewed while the runner works; a lease that lapses (the host
/// died) is resumed by the next sweep by planning again, or turned into InternalError once <c>Deployments:MaxAttempts</c>
/// runs have been used. A stopping host claims no new work.
/// </summary>
public sealed class DeploymentWorker(
    DeploymentRepository repository,
    DeploymentService service,
    IDeploymentRunner runner,
    DeploymentPlans plans,
    TerraformStateStore states,
    DeploymentLogs logs,
    DeploymentSecrets secrets,
    DeploymentSignal signal,
    RunningDeployments running,
    IHostApplicationLifetime lifetime,
    IOptions<DeploymentOptions> options,
    TimeProvider clock,
    ILogger<DeploymentWorker> logger) : BackgroundService
{
    private readonly string _instance = "worker-" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<Task> _active = [];

    /// <summary>This host's lease owner name.</summary>
    public string Instance => _instance;

    /// <summary>The host is stopping (or stopped): no new deployment is claimed.</summary>
    private bool Stopping(CancellationToken stoppingToken) =>
        stoppingToken.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Deployment worker {Instance} started with the {Runner} runner.", _instance, runner.Name);
        while (!Stopping(stoppingToken))
        {
            try
            {
                await MaintainAsync(stoppingToken);
                await ClaimAndStartAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogError(e, "The deployment worker hit an error; it keeps going.");
            }
            try { await signal.WaitAsync(options.Value.PollInterval, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
        logger.LogInformation("Deployment worker {Instance} is stopping: it claims no new work.", _instance);
        await Task.WhenAll(_active.ToArray());
    }

    /// <summary>Recovery and housekeeping: abandoned runs, half-finished starts, waiting deployments, old plans, refunds.</summary>
    public async Task MaintainAsync(CancellationToken ct)
    {
        await RecoverAbandonedAsync(ct);
        await service.RecoverUnchargedAsync(TimeSpan.FromMinutes(1), ct);
        await PromoteWaitingAsync(ct);
        await ExpireOldPlansAsync(ct);
        await SettleRefundsAsync(ct);
    }

    /// <summary>Deployments left running by a host that stopped: plan again (or give up after too many attempts).</summary>
    public async Task<int> RecoverAbandonedAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var candidates = await repository.ScanAsync(
            [DeploymentRepository.StateIn(DeploymentState.Pending, DeploymentState.Planning, DeploymentState.Working, DeploymentState.Deleting),
             FieldFilter.Eq("/runnable", false)], null, 200, ct);
        var recovered = 0;
        foreach (var candidate in candidates)
        {
            var lease = candidate.Deployment.Lease;
            if (running.IsRunningHere(candidate.Deployment.Id) || (lease is not null && lease.UntilMs >= nowMs)) continue;
            var (stored, changed) = await repository.UpdateAsync(candidate.Deployment.PartnerId, candidate.Deployment.Id, d =>
            {
                if (d.Runnable || d.Lease?.UntilMs >= nowMs || !d.State.IsRunning()) return null;
                var build = CloseBuild(d, DeploymentState.InternalError, now);
                if (d.Attempts >= options.Value.MaxAttempts)
                    return build.End(DeploymentState.InternalError,
                        $"The service stopped while this deployment was running, {d.Attempts} times; it was not retried again.",
                        "system", now);
                // An approved plan that had not started applying can still be applied; anything further along is planned
                // again, because a half-run apply has changed the state its plan was made against.
                var step = d.State == DeploymentState.Pending && d.Step == DeploymentStep.Apply ? DeploymentStep.Apply : DeploymentStep.Plan;
                var resumed = build.Transition(DeploymentState.Queued,
                    step == DeploymentStep.Apply ? "Resuming after a service restart." : "Resuming after a service restart: planning again.",
                    "system", now)!;
                return (step == DeploymentStep.Plan ? resumed with { Plan = null } : resumed).MakeRunnable(d.Action, now, resumed: true, step: step);
            }, ct);
            if (!changed) continue;
            recovered++;
            if (candidate.Deployment.Plan is { } plan && stored!.Deployment.Plan is null)
                await plans.DeleteAsync(candidate.Deployment.Id, plan.Id, ct);
            if (stored!.Deployment.RefundDue) await service.SettleRefundAsync(stored, ct);
        }
        if (recovered > 0)
        {
            logger.LogWarning("Recovered {Count} deployment(s) abandoned by a stopped host.", recovered);
            signal.Wake();
        }
        return recovered;
    }

    /// <summary>Waiting deployments go to the queue once every prerequisite succeeded, or fail (refunded) when one is gone.</summary>
    public async Task PromoteWaitingAsync(CancellationToken ct)
    {
        var waiting = await repository.ScanAsync([DeploymentRepository.StateIs(DeploymentState.Waiting), FieldFilter.Eq("/charged", true)],
            "/createdAtMs", 200, ct);
        foreach (var candidate in waiting)
        {
            var deployment = candidate.Deployment;
            var (missing, inProgress) = await service.CheckDependenciesAsync(deployment.PartnerId, deployment.Dependencies, ct);
            if (inProgress.Count > 0) continue;
            var now = clock.GetUtcNow();
            var (stored, _) = await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
            {
                if (d.State != DeploymentState.Waiting) return null;
                return missing.Count > 0
                    ? d.End(DeploymentState.Failure, $"A prerequisite did not succeed: {string.Join(", ", missing)}.", "system", now)
                    : d.Transition(DeploymentState.Queued, "Prerequisites are ready; queued.", "system", now)!
                        .MakeRunnable(DeploymentAction.Apply, now);
            }, ct);
            if (stored?.Deployment.RefundDue == true) await service.SettleRefundAsync(stored, ct);
        }
    }

    /// <summary>Plans left waiting longer than <c>Deployments:PlanTtl</c> expire (a first deployment is refunded).</summary>
    public async Task ExpireOldPlansAsync(CancellationToken ct)
    {
        var ready = await repository.ScanAsync([DeploymentRepository.StateIs(DeploymentState.PlanReady)], null, 200, ct);
        var now = clock.GetUtcNow();
        foreach (var candidate in ready.Where(d => d.Deployment.Plan is { } plan && now - plan.CreatedAt > options.Value.PlanTtl))
            await service.ExpirePlanAsync(candidate, "system", ct);
    }

    /// <summary>Refunds decided but not yet written to the ledger (the host stopped in between).</summary>
    public async Task SettleRefundsAsync(CancellationToken ct)
    {
        foreach (var due in await repository.ScanAsync([FieldFilter.Eq("/refundDue", true)], null, 200, ct))
            await service.SettleRefundAsync(due, ct);
    }

    private async Task ClaimAndStartAsync(CancellationToken stoppingToken)
    {
        _active.RemoveAll(t => t.IsCompleted);
        var free = options.Value.MaxParallel - _active.Count;
        if (free <= 0 || Stopping(stoppingToken)) return;

        var runnable = await repository.QueryAsync(null, [FieldFilter.Eq("/runnable", true)], "/runnableSinceMs", false,
            Math.Max(free * 2, 10), null, stoppingToken);
        foreach (var candidate in runnable.Items)
        {
            if (free <= 0 || Stopping(stoppingToken)) break;
            var claimed = await ClaimAsync(candidate.Deployment, stoppingToken);
            if (claimed is null) continue;
            free--;
            _active.Add(Task.Run(async () =>
            {
                try { await RunClaimedAsync(claimed, stoppingToken); }
                catch (Exception e)
                {
                    // Typically storage going away mid-run: the lease lapses and recovery resumes the deployment.
                    logger.LogError(e, "Deployment {DeploymentId} could not be finished; it resumes once its lease lapses.", claimed.Id);
                }
            }, CancellationToken.None));
        }
    }

    private async Task<Deployment?> ClaimAsync(Deployment candidate, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var lease = new DeploymentLease(_instance, now.Add(options.Value.LeaseDuration).ToUnixTimeMilliseconds());
        var (stored, changed) = await repository.UpdateAsync(candidate.PartnerId, candidate.Id, d =>
        {
            if (!d.Runnable) return null;
            if (d.Attempts >= options.Value.MaxAttempts)
                return d.End(DeploymentState.InternalError, $"Gave up after {d.Attempts} attempts.", "system", now);
            if (d.State != DeploymentState.Queued) return null;
            var claimed = d with
            {
                Runnable = false,
                Lease = lease,
                Attempts = d.Attempts + 1,
                Builds = [.. d.Builds, new DeploymentBuild(d.Builds.Count + 1, d.Action, runner.Name, now)],
            };
            return claimed.Transition(DeploymentState.Pending, "Preparing the run.", "system", now);
        }, ct);
        if (changed && stored!.Deployment.RefundDue) await service.SettleRefundAsync(stored, ct);
        return changed && stored!.Deployment.Lease?.Owner == _instance ? stored.Deployment : null;
    }

    /// <summary>What one claimed run did to the credits: whether it marked the reservation as charged.</summary>
    private sealed class RunContext
    {
        public bool ChargedHere { get; set; }
    }

    private async Task RunClaimedAsync(Deployment deployment, CancellationToken stoppingToken)
    {
        using var activity = DeploymentTelemetry.StartRun(deployment);
        var started = clock.GetTimestamp();
        using var cancel = running.Register(deployment.Id);
        using var timeout = new CancellationTokenSource(options.Value.Timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, cancel.Token, timeout.Token);
        using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewLeaseAsync(deployment, heartbeat.Token);
        var context = new RunContext();
        try
        {
            var outcome = await ExecuteAsync(deployment, context, linked.Token);
            await heartbeat.CancelAsync();
            await renewing;
            if (outcome is not null) await FinishAsync(deployment, outcome, context, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping: hand the deployment back right away so the next start resumes it.
            await heartbeat.CancelAsync();
            await renewing;
            await ReleaseLeaseAsync(deployment, CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            await heartbeat.CancelAsync();
            await renewing;
            var outcome = cancel.IsCancellationRequested
                ? new RunOutcome(RunResult.Cancelled, "Cancelled while running.")
                : new RunOutcome(RunResult.TimedOut, $"Stopped after the time limit of {options.Value.Timeout}.");
            await FinishAsync(deployment, outcome, context, CancellationToken.None);
        }
        catch (Exception e)
        {
            await heartbeat.CancelAsync();
            await renewing;
            logger.LogError(e, "Deployment {DeploymentId} failed inside the service.", deployment.Id);
            await FinishAsync(deployment, new RunOutcome(RunResult.Failed, "Internal error: " + e.Message) { Internal = true }, context,
                CancellationToken.None);
        }
        finally
        {
            running.Unregister(deployment.Id);
            DeploymentTelemetry.RunEnded(deployment, clock.GetElapsedTime(started));
        }
    }

    /// <summary>Runs the claimed step; null when the run ended without a result to record (the plan waits for approval).</summary>
    private async Task<RunOutcome?> ExecuteAsync(Deployment deployment, RunContext context, CancellationToken ct)
    {
        var destroying = deployment.Action == DeploymentAction.Destroy;
        if (deployment.Step == DeploymentStep.Apply && runner.SavesPlans) return await ApplyApprovedAsync(deployment, context, ct);

        var version = deployment.Pending?.Version ?? deployment.Version;
        var pinned = await service.PinnedModuleAsync(deployment, ct, version);
        if (pinned is null)
            return RunOutcome.Failed($"The module version {version?.Short ?? "(none)"} of {deployment.Module.Name} is not stored and the module is no longer in the catalog.");

        if (!runner.SavesPlans)
        {
            deployment = await MoveAsync(deployment, destroying ? DeploymentState.Deleting : DeploymentState.Working,
                destroying ? "Destroying." : deployment.Action == DeploymentAction.Update ? "Updating." : "Deploying.", context, null, ct);
            return await RunStepAsync(deployment, pinned, destroying ? RunStep.Destroy : RunStep.Apply, null, ct);
        }

        deployment = await MoveAsync(deployment, DeploymentState.Planning,
            destroying ? "Planning the destroy." : deployment.Action == DeploymentAction.Update ? "Planning the update." : "Planning the deployment.",
            context, null, ct);
        var planned = await RunStepAsync(deployment, pinned, destroying ? RunStep.PlanDestroy : RunStep.Plan, null, ct);
        if (planned.Result != RunResult.Succeeded || planned.Plan is null) return planned;

        // The state version the plan was made against: a newer one (another apply) makes the plan stale.
        var stateVersion = options.Value.Backend.Type == TerraformBackendKind.Http
            ? (await states.GetHeadAsync(deployment.Id, ct)).Version
            : planned.Plan.StateSerial;
        var plan = new DeploymentPlan($"plan-{deployment.Builds.Count}", deployment.Action, clock.GetUtcNow(), planned.Plan.Summary,
            pinned.Version, stateVersion, planned.Plan.StateLineage);
        await plans.SaveAsync(deployment.Id, plan.Id, planned.Plan.Content, ct);

        if (destroying || options.Value.RequirePlanApproval)
        {
            var text = destroying
                ? $"Destroy plan ready: {plan.Summary.Text}. Apply it to destroy {deployment.Module.Name} ({deployment.Id}), or discard it."
                : $"Plan ready: {plan.Summary.Text}. Apply or discard it.";
            var now = clock.GetUtcNow();
            var (_, ready) = await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
                d.Lease?.Owner == _instance && d.Transition(DeploymentState.PlanReady, text, "system", now) is { } next
                    ? CloseBuild(next, DeploymentState.PlanReady, now) with { Plan = plan, Lease = null }
                    : null, ct);
            if (!ready) throw new OperationCanceledException("The deployment was taken over or cancelled while it was being planned.");
            logger.LogInformation("Deployment {DeploymentId} has a plan waiting: {Summary}.", deployment.Id, plan.Summary.Text);
            return null;
        }

        // Approval off: the summary is posted (this state change) before the apply runs.
        deployment = await MoveAsync(deployment, DeploymentState.Working, $"Applying the plan: {plan.Summary.Text}.", context, plan, ct);
        return await RunStepAsync(deployment, pinned, RunStep.Apply, planned.Plan.Content, ct);
    }

    /// <summary>Applies an approved plan: refused (plan again) when it is older than the plan time limit or gone.</summary>
    private async Task<RunOutcome?> ApplyApprovedAsync(Deployment deployment, RunContext context, CancellationToken ct)
    {
        var destroying = deployment.Action == DeploymentAction.Destroy;
        var plan = deployment.Plan;
        var content = plan is null ? null : await plans.LoadAsync(deployment.Id, plan.Id, ct);
        var now = clock.GetUtcNow();
        var stale = plan is null || content is null ? "The saved plan is gone; plan again." : await service.WhyPlanCannotApplyAsync(deployment, plan, ct);
        if (stale is not null)
        {
            var reason = stale;
            var (stored, changed) = await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
                d.Lease?.Owner == _instance ? CloseBuild(d, DeploymentState.Expired, now).DropPlan(DeploymentState.Expired, reason, "system", now) : null, ct);
            if (plan is not null) await plans.DeleteAsync(deployment.Id, plan.Id, ct);
            if (changed) await service.SettleRefundAsync(stored!, ct);
            return null;
        }

        var pinned = await service.PinnedModuleAsync(deployment, ct, plan!.Version);
        if (pinned is null) return RunOutcome.Failed($"The module version {plan.Version?.Short} of {deployment.Module.Name} is not stored.");
        deployment = await MoveAsync(deployment, destroying ? DeploymentState.Deleting : DeploymentState.Working,
            destroying ? $"Destroying: {plan.Summary.Text}." : $"Applying the plan: {plan.Summary.Text}.", context, null, ct);
        return await RunStepAsync(deployment, pinned, destroying ? RunStep.Destroy : RunStep.Apply, content, ct);
    }

    /// <summary>
    /// Moves a deployment this host holds to the next running state. Entering Working for the first time charges the
    /// reserved credits (they are kept from then on).
    /// </summary>
    private async Task<Deployment> MoveAsync(Deployment deployment, DeploymentState to, string message, RunContext context,
        DeploymentPlan? plan, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var charge = to == DeploymentState.Working && deployment.Action == DeploymentAction.Apply;
        var (stored, changed) = await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
        {
            if (d.Lease?.Owner != _instance || d.Transition(to, message, "system", now) is not { } next) return null;
            return next with
            {
                ChargedAt = charge ? d.ChargedAt ?? now : d.ChargedAt,
                Plan = plan ?? d.Plan,
            };
        }, ct);
        if (!changed) throw new OperationCanceledException("The deployment was taken over or cancelled before the step started.");
        if (charge && deployment.ChargedAt is null)
        {
            context.ChargedHere = true;
            logger.LogInformation("Deployment {DeploymentId}: the apply starts; {Cost} reserved credits are charged.", deployment.Id, deployment.Cost);
        }
        return stored!.Deployment;
    }

    private async Task<RunOutcome> RunStepAsync(Deployment deployment, PinnedModule module, RunStep step, byte[]? savedPlan,
        CancellationToken ct)
    {
        var inputs = service.RunInputs(deployment);
        var variables = DeploymentInputs.WithDefaults(module.Model, inputs);
        var sensitive = (deployment.Pending?.ProtectedInputs ?? deployment.ProtectedInputs).Keys.ToList();
        var secretValues = sensitive
            .Select(name => inputs[name])
            .OfType<JsonValue>()
            .Select(v => v.TryGetValue<string>(out var text) ? text : v.ToJsonString())
            .Where(v => v.Length >= 4)
            .ToList();

        var observer = new DeploymentRunObserver(deployment, logs, repository, secretValues);
        var request = new RunRequest(deployment.Id, deployment.PartnerId, deployment.Action, deployment.Module, module.Files,
            variables, sensitive, deployment.Builds.Count) { Step = step, SavedPlan = savedPlan, Version = module.Version };
        try
        {
            return await runner.RunAsync(request, observer, ct);
        }
        finally
        {
            await observer.FlushAsync(CancellationToken.None);
        }
    }

    private async Task FinishAsync(Deployment deployment, RunOutcome outcome, RunContext context, CancellationToken ct)
    {
        var destroying = deployment.Action == DeploymentAction.Destroy;
        var state = outcome switch
        {
            { Internal: true } => DeploymentState.InternalError,
            { Result: RunResult.Succeeded } => destroying ? DeploymentState.Deleted : DeploymentState.Success,
            { Result: RunResult.Stale } => DeploymentState.Expired,
            { Result: RunResult.TimedOut } => DeploymentState.Timeout,
            { Result: RunResult.Cancelled } => DeploymentState.Cancelled,
            _ => DeploymentState.Failure,
        };
        var now = clock.GetUtcNow();
        DeploymentPlan? usedPlan = null;
        var (stored, changed) = await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
        {
            if (d.Lease?.Owner != _instance) return null;
            usedPlan = d.Plan;
            var closed = CloseBuild(d, state, now);
            if (outcome.Result == RunResult.Stale)
            {
                // Nothing was applied: a charge made by this run is taken back with the rest of the plan.
                var uncharged = context.ChargedHere ? closed with { ChargedAt = null } : closed;
                return uncharged.DropPlan(DeploymentState.Expired, outcome.Message ?? "The plan is stale; plan again.", "system", now);
            }
            if (outcome.Result != RunResult.Succeeded || outcome.Internal)
            {
                var message = outcome.Message ?? state.ToString();
                if (d.Action == DeploymentAction.Apply && d.ChargedAt is not null && d.Cost > 0 && state != DeploymentState.Success)
                    message += $" The apply had started, so the {d.Cost:0.##} credit{(d.Cost == 1 ? " stays" : "s stay")} charged; Retry plans again with the same inputs.";
                return closed.End(state, message, "system", now);
            }
            var finished = closed.Transition(state, outcome.Message, "system", now);
            if (finished is null) return null;
            var summary = d.Plan?.Summary;
            var resources = destroying ? [] : Resources(d.Resources, summary);
            var outputs = destroying ? [] : outcome.Outputs is null ? d.Outputs : secrets.ProtectOutputs(outcome.Outputs);
            return finished with
            {
                Lease = null,
                Outputs = outputs,
                Resources = resources,
                Inputs = d.Pending?.Inputs ?? d.Inputs,
                ProtectedInputs = d.Pending?.ProtectedInputs ?? d.ProtectedInputs,
                Version = d.Pending?.Version ?? d.Version,
                Pending = null,
                Plan = null,
                ResumeState = null,
            };
        }, ct);
        if (changed)
        {
            logger.LogInformation("Deployment {DeploymentId} is {State}: {Message}", deployment.Id, stored!.Deployment.State, stored.Deployment.Message);
            if (usedPlan is not null) await plans.DeleteAsync(deployment.Id, usedPlan.Id, CancellationToken.None);
            if (stored.Deployment.RefundDue) await service.SettleRefundAsync(stored, CancellationToken.None);
        }
        else
            logger.LogWarning("Deployment {DeploymentId} finished as {State} but was no longer held by this worker (now {Current}).",
                deployment.Id, state, stored?.Deployment.State);
    }

    /// <summary>The resources after an apply: those before, with the plan's creations added and its deletions removed.</summary>
    private static List<string> Resources(IReadOnlyList<string> before, PlanSummary? plan)
    {
        if (plan is null) return [.. before];
        var deleted = plan.Deletes.ToHashSet(StringComparer.Ordinal);
        return before.Where(r => !deleted.Contains(r)).Concat(plan.Creates).Concat(plan.Replaces)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static Deployment CloseBuild(Deployment d, DeploymentState result, DateTimeOffset at)
    {
        if (d.Builds.Count == 0 || d.Builds[^1].EndedAt is not null) return d;
        return d with { Builds = [.. d.Builds.Take(d.Builds.Count - 1), d.Builds[^1] with { EndedAt = at, Result = result }] };
    }

    private async Task RenewLeaseAsync(Deployment deployment, CancellationToken ct)
    {
        var every = options.Value.LeaseDuration / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, clock, ct);
                var until = clock.GetUtcNow().Add(options.Value.LeaseDuration).ToUnixTimeMilliseconds();
                await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
                    d.Lease?.Owner == _instance ? d with { Lease = d.Lease with { UntilMs = until } } : null, ct);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            logger.LogWarning(e, "Renewing the lease of deployment {DeploymentId} failed.", deployment.Id);
        }
    }

    private async Task ReleaseLeaseAsync(Deployment deployment, CancellationToken ct)
    {
        try
        {
            await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
                d.Lease?.Owner == _instance ? d with { Lease = d.Lease with { UntilMs = 0 } } : null, ct);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Releasing deployment {DeploymentId} at shutdown failed; it resumes once its lease lapses.", deployment.Id);
        }
    }
}

/// <summary>Collects a run's log lines (secrets masked) and writes them in chunks; records the external run.</summary>
internal sealed class DeploymentRunObserver(Deployment deployment, DeploymentLogs logs, DeploymentRepository repository,
    IReadOnlyCollection<string> secrets) : IRunObserver
{
    private const int ChunkLines = 40;
    private static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(1);
    private readonly List<string> _buffer = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset _lastFlush = DateTimeOffset.UtcNow;

    public async Task LogAsync(string line, CancellationToken ct)
    {
        foreach (var secret in secrets) line = line.Replace(secret, "***", StringComparison.Ordinal);
        await _gate.WaitAsync(ct);
        try
        {
            _buffer.Add(line);
            if (_buffer.Count >= ChunkLines || DateTimeOffset.UtcNow - _lastFlush >= FlushEvery) await FlushLockedAsync(ct);
        }
        finally { _gate.Release(); }
    }

    public async Task ExternalRunAsync(string runId, string? url, CancellationToken ct) =>
        await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d => d.Builds.Count == 0
            ? null
            : d with { Builds = [.. d.Builds.Take(d.Builds.Count - 1), d.Builds[^1] with { ExternalRunId = runId, ExternalRunUrl = url }] }, ct);

    public async Task FlushAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try { await FlushLockedAsync(ct); }
        finally { _gate.Release(); }
    }

    private async Task FlushLockedAsync(CancellationToken ct)
    {
        _lastFlush = DateTimeOffset.UtcNow;
        if (_buffer.Count == 0) return;
        var lines = _buffer.ToList();
        _buffer.Clear();
        await logs.AppendAsync(deployment.PartnerId, deployment.Id, lines, null, ct);
    }
}
