using System.Collections.Concurrent;

namespace PartnerBot.Api.Deployments;

/// <summary>Wakes the worker as soon as work is queued, instead of waiting for its next poll.</summary>
public sealed class DeploymentSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try { if (_signal.CurrentCount == 0) _signal.Release(); }
        catch (SemaphoreFullException) { /* already signalled */ }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>The deployments this host is running right now, so a cancel request can reach them.</summary>
public sealed class RunningDeployments
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);

    public CancellationTokenSource Register(string deploymentId)
    {
        var cancel = new CancellationTokenSource();
        _running[deploymentId] = cancel;
        return cancel;
    }

    public void Unregister(string deploymentId) => _running.TryRemove(deploymentId, out _);

    public bool IsRunningHere(string deploymentId) => _running.ContainsKey(deploymentId);

    public bool RequestCancel(string deploymentId)
    {
        if (!_running.TryGetValue(deploymentId, out var cancel)) return false;
        try { cancel.Cancel(); }
        catch (ObjectDisposedException) { return false; }
        return true;
    }
}
