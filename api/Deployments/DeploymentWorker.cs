using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Deployments.Runners;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Deployments;

/// <summary>
/// Runs queued deployments through the configured <see cref="IDeploymentRunner"/>. Each claim is a lease on the
/// deployment document, renewed while the runner works; a lease that lapses (the host died) is resumed by the next
/// sweep, or turned into InternalError once <c>Deployments:MaxAttempts</c> runs have been used.
/// </summary>
public sealed class DeploymentWorker(
    DeploymentRepository repository,
    DeploymentService service,
    IDeploymentRunner runner,
    IModuleCatalog catalog,
    DeploymentLogs logs,
    DeploymentSecrets secrets,
    DeploymentSignal signal,
    RunningDeployments running,
    IOptions<DeploymentOptions> options,
    TimeProvider clock,
    ILogger<DeploymentWorker> logger) : BackgroundService
{
    private readonly string _instance = "worker-" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<Task> _active = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Deployment worker {Instance} started with the {Runner} runner.", _instance, runner.Name);
        while (!stoppingToken.IsCancellationRequested)
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
        await Task.WhenAll(_active.ToArray());
    }

    /// <summary>Recovery and housekeeping: abandoned runs, half-finished starts, waiting deployments.</summary>
    public async Task MaintainAsync(CancellationToken ct)
    {
        await RecoverAbandonedAsync(ct);
        await service.RecoverUnchargedAsync(TimeSpan.FromMinutes(1), ct);
        await PromoteWaitingAsync(ct);
    }

    /// <summary>Deployments left Pending, Working or Deleting by a host that stopped: run again, or give up.</summary>
    public async Task<int> RecoverAbandonedAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var candidates = await repository.ScanAsync(
            [DeploymentRepository.StateIn(DeploymentState.Pending, DeploymentState.Working, DeploymentState.Deleting),
             FieldFilter.Eq("/runnable", false)], null, 200, ct);
        var recovered = 0;
        foreach (var candidate in candidates)
        {
            var lease = candidate.Deployment.Lease;
            if (running.IsRunningHere(candidate.Deployment.Id) || (lease is not null && lease.UntilMs >= nowMs)) continue;
            var (_, changed) = await repository.UpdateAsync(candidate.Deployment.PartnerId, candidate.Deployment.Id, d =>
            {
                if (d.Runnable || d.Lease?.UntilMs >= nowMs || d.State is not (DeploymentState.Pending or DeploymentState.Working
                    or DeploymentState.Deleting)) return null;
                var build = CloseBuild(d, DeploymentState.InternalError, now);
                if (d.Attempts >= options.Value.MaxAttempts)
                    return build.Transition(DeploymentState.InternalError,
                        $"The service stopped while this deployment was running, {d.Attempts} times; it was not retried again.",
                        "system", now) is { } gaveUp ? gaveUp with { Lease = null } : null;
                var resumed = d.State == DeploymentState.Deleting
                    ? build with { Message = "Resuming the destroy after a service restart." }
                    : build.Transition(DeploymentState.Queued, "Resuming after a service restart.", "system", now)!;
                return resumed.MakeRunnable(d.Action, now, resumed: true);
            }, ct);
            if (changed) recovered++;
        }
        if (recovered > 0)
        {
            logger.LogWarning("Recovered {Count} deployment(s) abandoned by a stopped host.", recovered);
            signal.Wake();
        }
        return recovered;
    }

    /// <summary>Waiting deployments go to the queue once every prerequisite succeeded, or fail when one is gone.</summary>
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
            await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
            {
                if (d.State != DeploymentState.Waiting) return null;
                return missing.Count > 0
                    ? d.Transition(DeploymentState.Failure, $"A prerequisite did not succeed: {string.Join(", ", missing)}.", "system", now)
                    : d.Transition(DeploymentState.Queued, "Prerequisites are ready; queued.", "system", now)!
                        .MakeRunnable(DeploymentAction.Apply, now);
            }, ct);
        }
    }

    private async Task ClaimAndStartAsync(CancellationToken stoppingToken)
    {
        _active.RemoveAll(t => t.IsCompleted);
        var free = options.Value.MaxParallel - _active.Count;
        if (free <= 0) return;

        var runnable = await repository.QueryAsync(null, [FieldFilter.Eq("/runnable", true)], "/runnableSinceMs", false,
            Math.Max(free * 2, 10), null, stoppingToken);
        foreach (var candidate in runnable.Items)
        {
            if (free <= 0) break;
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
                return d.Transition(DeploymentState.InternalError, $"Gave up after {d.Attempts} attempts.", "system", now)
                    is { } failed ? failed with { Runnable = false } : null;
            var claimed = d with
            {
                Runnable = false,
                Lease = lease,
                Attempts = d.Attempts + 1,
                Builds = [.. d.Builds, new DeploymentBuild(d.Builds.Count + 1, d.Action, runner.Name, now)],
            };
            if (d.State == DeploymentState.Queued)
                return claimed.Transition(DeploymentState.Pending, "Preparing the run.", "system", now);
            return d.State == DeploymentState.Deleting ? claimed : null;
        }, ct);
        return changed && stored!.Deployment.Lease?.Owner == _instance ? stored.Deployment : null;
    }

    private async Task RunClaimedAsync(Deployment deployment, CancellationToken stoppingToken)
    {
        using var cancel = running.Register(deployment.Id);
        using var timeout = new CancellationTokenSource(options.Value.Timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, cancel.Token, timeout.Token);
        using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewLeaseAsync(deployment, heartbeat.Token);
        try
        {
            var outcome = await ExecuteAsync(deployment, linked.Token);
            await heartbeat.CancelAsync();
            await renewing;
            await FinishAsync(deployment, outcome, CancellationToken.None);
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
            await FinishAsync(deployment, outcome, CancellationToken.None);
        }
        catch (Exception e)
        {
            await heartbeat.CancelAsync();
            await renewing;
            logger.LogError(e, "Deployment {DeploymentId} failed inside the service.", deployment.Id);
            await FinishAsync(deployment, new RunOutcome(RunResult.Failed, "Internal error: " + e.Message) { Internal = true },
                CancellationToken.None);
        }
        finally
        {
            running.Unregister(deployment.Id);
        }
    }

    private async Task<RunOutcome> ExecuteAsync(Deployment deployment, CancellationToken ct)
    {
        var module = await catalog.GetAsync(deployment.Module.Owner, deployment.Module.Name, ct);
        if (module is null) return RunOutcome.Failed($"The module {deployment.Module.Name} is no longer in the catalog.");

        var inputs = service.CurrentInputs(deployment);
        var variables = DeploymentInputs.WithDefaults(module.Model, inputs);
        var secretValues = deployment.ProtectedInputs.Keys
            .Select(name => inputs[name])
            .OfType<JsonValue>()
            .Select(v => v.TryGetValue<string>(out var text) ? text : v.ToJsonString())
            .Where(v => v.Length >= 4)
            .ToList();

        var now = clock.GetUtcNow();
        if (deployment.State == DeploymentState.Pending)
        {
            var (working, changed) = await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
                d.Lease?.Owner == _instance
                    ? d.Transition(DeploymentState.Working, deployment.Action == DeploymentAction.Update ? "Updating." : "Deploying.", "system", now)
                    : null, ct);
            if (!changed) throw new OperationCanceledException("The deployment was taken over or cancelled before it started.");
            deployment = working!.Deployment;
        }

        var observer = new DeploymentRunObserver(deployment, logs, repository, secretValues);
        var request = new RunRequest(deployment.Id, deployment.PartnerId, deployment.Action, deployment.Module, module.Files,
            variables, deployment.ProtectedInputs.Keys.ToList(), deployment.Builds.Count);
        try
        {
            return await runner.RunAsync(request, observer, ct);
        }
        finally
        {
            await observer.FlushAsync(CancellationToken.None);
        }
    }

    private async Task FinishAsync(Deployment deployment, RunOutcome outcome, CancellationToken ct)
    {
        var destroying = deployment.Action == DeploymentAction.Destroy;
        var state = outcome switch
        {
            { Internal: true } => DeploymentState.InternalError,
            { Result: RunResult.Succeeded } => destroying ? DeploymentState.Deleted : DeploymentState.Success,
            { Result: RunResult.TimedOut } => DeploymentState.Timeout,
            { Result: RunResult.Cancelled } => DeploymentState.Cancelled,
            _ => DeploymentState.Failure,
        };
        var now = clock.GetUtcNow();
        var (stored, changed) = await repository.UpdateAsync(deployment.PartnerId, deployment.Id, d =>
        {
            if (d.Lease?.Owner != _instance) return null;
            var finished = CloseBuild(d, state, now).Transition(state, outcome.Message, "system", now);
            if (finished is null) return null;
            var outputs = outcome.Outputs is null ? d.Outputs : secrets.ProtectOutputs(outcome.Outputs);
            if (state == DeploymentState.Deleted) outputs = [];
            return finished with { Lease = null, Outputs = outputs };
        }, ct);
        if (changed)
            logger.LogInformation("Deployment {DeploymentId} is {State}: {Message}", deployment.Id, state, outcome.Message);
        else
            logger.LogWarning("Deployment {DeploymentId} finished as {State} but was no longer held by this worker (now {Current}).",
                deployment.Id, state, stored?.Deployment.State);
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
