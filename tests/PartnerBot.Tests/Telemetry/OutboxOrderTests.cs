using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Storage;
using PartnerBot.Tests.Deployments;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Telemetry;

/// <summary>
/// Two dispatchers on one store, as on two instances: a deployment's later status update waits while an earlier one is
/// being delivered elsewhere, so two updates of one card never go out at once, and they arrive in order.
/// </summary>
public sealed class OutboxOrderTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMilliseconds(400);
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync(StoreKind.Sqlite);
    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_later_update_of_a_deployment_waits_for_the_earlier_one_delivered_by_another_instance()
    {
        var now = DateTimeOffset.UtcNow;
        var queued = new Deployment
        {
            Id = "dep-order", PartnerId = "p-1", CreatedBy = "p-1", Module = new ModuleReference("Tiny", "platform"),
            Conversation = new JsonObject { ["conversationId"] = "conv-order" },
        }.Record(DeploymentState.Queued, "Queued.", "p-1", now);
        var pending = queued.Record(DeploymentState.Pending, "Preparing the run.", "system", now);
        var outbox = new DeploymentOutbox(_store.Store, TimeProvider.System);
        await outbox.EnqueueAsync(queued);
        await outbox.EnqueueAsync(pending);

        // Instance A takes the first update and is still delivering it (then dies, leaving its claim to lapse).
        var hanging = new HangingNotifier();
        using var killed = new CancellationTokenSource();
        var delivering = Dispatcher(_store.Reopen(), hanging).DispatchDueAsync(killed.Token);
        await hanging.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Instance B finds the second one due, but leaves it while the first is owed.
        var recording = new RecordingNotifier();
        var other = Dispatcher(_store.Reopen(), recording);
        await other.DispatchDueAsync(CancellationToken.None);
        Assert.Empty(recording.Delivered);

        killed.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delivering);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (recording.Delivered.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"delivered so far: {recording.Delivered.Count}");
            await other.DispatchDueAsync(CancellationToken.None);
            await Task.Delay(50);
        }

        Assert.Equal([1, 2], recording.Delivered.Select(c => c.Sequence));
        Assert.Empty((await _store.Store.QueryAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, new DocumentQuery())).Items);
    }

    private static OutboxDispatcher Dispatcher(IDocumentStore store, IDeploymentStatusNotifier notifier)
    {
        var options = Options.Create(new OutboxOptions
        {
            LeaseDuration = Lease,
            PollInterval = TimeSpan.FromMilliseconds(100),
            FirstRetryDelay = TimeSpan.FromMilliseconds(100),
        });
        var repository = new DeploymentRepository(store, new DeploymentOutbox(store, TimeProvider.System), TimeProvider.System);
        return new OutboxDispatcher(store, repository, notifier, options, TimeProvider.System, NullLogger<OutboxDispatcher>.Instance);
    }
}
