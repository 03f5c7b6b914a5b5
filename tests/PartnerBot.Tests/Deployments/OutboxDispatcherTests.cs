using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Storage;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Deployments;

public sealed class OutboxDispatcherTests : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync(StoreKind.Sqlite);
    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static Deployment SampleDeployment(string id = "dep-outbox-1") =>
        new Deployment
        {
            Id = id, PartnerId = "p-1", CreatedBy = "p-1", Module = new ModuleReference("Tiny", "platform"),
            Conversation = new JsonObject { ["conversationId"] = "conv-9" },
        }.Record(DeploymentState.Queued, "Queued.", "p-1", DateTimeOffset.UtcNow);

    private static OutboxDispatcher Dispatcher(IDocumentStore store, IDeploymentStatusNotifier notifier, TimeSpan? lease = null)
    {
        var options = Options.Create(new OutboxOptions
        {
            LeaseDuration = lease ?? TimeSpan.FromSeconds(30),
            // Long enough that "not due yet" holds on a loaded machine, short enough for a quick test.
            FirstRetryDelay = TimeSpan.FromSeconds(1),
            MaxRetryDelay = TimeSpan.FromSeconds(2),
        });
        var repository = new DeploymentRepository(store, new DeploymentOutbox(store, TimeProvider.System), TimeProvider.System);
        return new OutboxDispatcher(store, repository, notifier, options, TimeProvider.System, NullLogger<OutboxDispatcher>.Instance);
    }

    [Fact]
    public async Task A_notifier_that_throws_gets_the_item_again_after_a_backoff()
    {
        await new DeploymentOutbox(_store.Store, TimeProvider.System).EnqueueAsync(SampleDeployment());
        var notifier = new RecordingNotifier(failuresBeforeSuccess: 2);
        var dispatcher = Dispatcher(_store.Store, notifier);

        Assert.Equal(1, await dispatcher.DispatchDueAsync(CancellationToken.None));
        Assert.Equal(0, await dispatcher.DispatchDueAsync(CancellationToken.None)); // not due yet: backing off
        var item = await _store.Store.ReadAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, "dep-outbox-1-000001");
        Assert.Equal(1, item!.Body["attempts"]!.GetValue<int>());
        Assert.Contains("receiver unavailable", item.Body["lastError"]!.GetValue<string>());

        await WaitUntilAsync(async () => await dispatcher.DispatchDueAsync(CancellationToken.None) > 0 && notifier.Delivered.Count > 0,
            TimeSpan.FromSeconds(20));

        var delivered = Assert.Single(notifier.Delivered);
        Assert.Equal("dep-outbox-1-000001", delivered.NotificationId);
        Assert.Equal(DeploymentState.Queued, delivered.State);
        Assert.Equal("conv-9", delivered.Conversation!["conversationId"]!.GetValue<string>());
        Assert.Equal(3, notifier.Attempts);
        Assert.Null(await _store.Store.ReadAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, "dep-outbox-1-000001"));
    }

    [Fact]
    public async Task An_item_claimed_by_a_killed_host_is_delivered_once_by_the_next_dispatcher()
    {
        await new DeploymentOutbox(_store.Store, TimeProvider.System).EnqueueAsync(SampleDeployment("dep-killed"));
        var hanging = new HangingNotifier();
        using var killed = new CancellationTokenSource();
        var first = Dispatcher(_store.Store, hanging, lease: TimeSpan.FromMilliseconds(400));
        var running = first.DispatchDueAsync(killed.Token);
        await hanging.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        killed.Cancel(); // the host dies mid-delivery: nothing is released or rescheduled
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        var restartedStore = _store.Reopen();
        var notifier = new RecordingNotifier();
        var second = Dispatcher(restartedStore, notifier, lease: TimeSpan.FromMilliseconds(400));
        Assert.Equal(0, await second.DispatchDueAsync(CancellationToken.None)); // still claimed by the dead host

        await WaitUntilAsync(async () => await second.DispatchDueAsync(CancellationToken.None) > 0, TimeSpan.FromSeconds(10));
        Assert.Equal(0, await second.DispatchDueAsync(CancellationToken.None));
        Assert.Single(notifier.Delivered, c => c.NotificationId == "dep-killed-000001");
    }

    [Fact]
    public async Task A_state_change_whose_outbox_write_was_lost_is_republished()
    {
        var repository = new DeploymentRepository(_store.Store, new DeploymentOutbox(_store.Store, TimeProvider.System), TimeProvider.System);
        await repository.CreateAsync(SampleDeployment("dep-lost")); // outboxPending, but no outbox item: the host died in between
        var notifier = new RecordingNotifier();
        var dispatcher = Dispatcher(_store.Store, notifier);

        Assert.Equal(1, await dispatcher.RepublishPendingAsync(CancellationToken.None));
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.Single(notifier.Delivered, c => c.DeploymentId == "dep-lost");
        var stored = await repository.GetAsync("p-1", "dep-lost");
        Assert.False(stored!.Deployment.OutboxPending);
        Assert.Equal(0, await dispatcher.RepublishPendingAsync(CancellationToken.None));
    }

    [Fact]
    public void Retry_delays_double_up_to_the_cap()
    {
        var first = TimeSpan.FromSeconds(1);
        var max = TimeSpan.FromSeconds(10);
        Assert.Equal([1, 2, 4, 8, 10, 10], Enumerable.Range(1, 6).Select(a => OutboxDispatcher.RetryDelay(a, first, max).TotalSeconds));
    }

    [Fact]
    public async Task Every_state_change_of_a_deployment_reaches_the_notifier_in_order()
    {
        var notifier = new RecordingNotifier();
        await using var harness = await DeploymentHarness.StartAsync(services: s => s.AddSingleton<IDeploymentStatusNotifier>(notifier));
        var request = new StartDeploymentRequest("p-notes", DeploymentHarness.Viewer("p-notes"), "Tiny",
            new JsonObject { ["label"] = "notes" }, Conversation: new JsonObject { ["id"] = "c-1" });
        var started = Assert.IsType<StartDeploymentResult.Started>(await harness.Get<IDeploymentService>().StartAsync(request, "k"));
        await harness.WaitAsync("p-notes", started.Deployment.Id);

        await WaitUntilAsync(() => Task.FromResult(notifier.Delivered.Any(c => c.State == DeploymentState.Success)), TimeSpan.FromSeconds(10));
        var states = notifier.Delivered.Where(c => c.DeploymentId == started.Deployment.Id).OrderBy(c => c.Sequence).Select(c => c.State);
        Assert.Equal([DeploymentState.Queued, DeploymentState.Pending, DeploymentState.Planning, DeploymentState.Working, DeploymentState.Success], states);
        Assert.All(notifier.Delivered, c => Assert.Equal("c-1", c.Conversation!["id"]!.GetValue<string>()));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold in time.");
            await Task.Delay(50);
        }
    }
}

internal sealed class RecordingNotifier(int failuresBeforeSuccess = 0) : IDeploymentStatusNotifier
{
    private int _attempts;
    public ConcurrentQueue<DeploymentStatusChange> DeliveredQueue { get; } = new();
    public IReadOnlyList<DeploymentStatusChange> Delivered => DeliveredQueue.ToList();
    public int Attempts => _attempts;

    public Task NotifyAsync(DeploymentStatusChange change, CancellationToken ct)
    {
        if (Interlocked.Increment(ref _attempts) <= failuresBeforeSuccess)
            throw new HttpRequestException("receiver unavailable");
        DeliveredQueue.Enqueue(change);
        return Task.CompletedTask;
    }
}

internal sealed class HangingNotifier : IDeploymentStatusNotifier
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task NotifyAsync(DeploymentStatusChange change, CancellationToken ct)
    {
        Entered.TrySetResult();
        await Task.Delay(Timeout.Infinite, ct);
    }
}
