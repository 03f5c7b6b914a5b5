using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Storage.Sqlite;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Deployments;

/// <summary>
/// Dead items do not pile up for ever: a deployment notification set aside as dead (<c>Deployments:Outbox:DeadRetention</c>)
/// and a Slack input whose turn failed (<c>Slack:Inbox:DeadRetention</c>) are written with a time to live, kept for
/// inspection until it passes, and then dropped by the store; items still being retried carry none.
/// </summary>
public abstract class DeadOutboxItemTests(StoreKind kind) : IAsyncLifetime
{
    private static readonly TimeSpan Retention = TimeSpan.FromSeconds(2);
    private TestStore? _testStore;

    protected TestStore TestStore => _testStore ?? throw new InvalidOperationException("Not initialized.");
    private IDocumentStore Store => TestStore.Store;

    public async Task InitializeAsync() => _testStore = await TestStore.CreateAsync(kind);

    public async Task DisposeAsync()
    {
        if (_testStore is not null) await _testStore.DisposeAsync();
    }

    /// <summary>When the store will drop the item (its last write plus its time to live); null when it has none.</summary>
    protected abstract Task<DateTimeOffset?> StoredExpiryAsync(string container, string partitionKey, string id);

    /// <summary>The item expires <see cref="Retention"/> after it was written, between <paramref name="before"/> and now.</summary>
    private async Task AssertExpiresAfterRetentionAsync(string container, string partitionKey, string id, DateTimeOffset before)
    {
        var after = DateTimeOffset.UtcNow;
        var expiry = await StoredExpiryAsync(container, partitionKey, id);
        Assert.NotNull(expiry);
        // Cosmos DB stamps writes in whole seconds, so the expiry may fall up to a second before the write's own time.
        Assert.InRange(expiry.Value, before + Retention - TimeSpan.FromSeconds(1), after + Retention + TimeSpan.FromMilliseconds(1));
    }

    private static Deployment SampleDeployment(string id) =>
        new Deployment
        {
            Id = id, PartnerId = "p-dead", CreatedBy = "p-dead", Module = new ModuleReference("Tiny", "platform"),
            Conversation = new JsonObject { ["conversationId"] = "conv-dead" },
        }.Record(DeploymentState.Queued, "Queued.", "p-dead", DateTimeOffset.UtcNow);

    private OutboxDispatcher Dispatcher(IDeploymentStatusNotifier notifier, int maxAttempts)
    {
        var options = Options.Create(new OutboxOptions
        {
            FirstRetryDelay = TimeSpan.FromHours(1), // a rescheduled item is not due again within the test
            MaxRetryDelay = TimeSpan.FromHours(1),
            MaxAttempts = maxAttempts,
            DeadRetention = Retention,
        });
        var repository = new DeploymentRepository(Store, new DeploymentOutbox(Store, TimeProvider.System), TimeProvider.System);
        return new OutboxDispatcher(Store, repository, notifier, options, TimeProvider.System, NullLogger<OutboxDispatcher>.Instance);
    }

    private async Task WaitUntilGoneAsync(string container, string partitionKey, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await Store.ReadAsync(container, partitionKey, id) is not null)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{container}/{id} is still stored after its time to live.");
            await Task.Delay(100);
        }
    }

    [StoreFact]
    public async Task A_dead_outbox_item_carries_the_dead_retention_and_is_dropped_after_it()
    {
        await new DeploymentOutbox(Store, TimeProvider.System).EnqueueAsync(SampleDeployment("dep-dead-1"));
        var id = DeploymentOutbox.ItemId("dep-dead-1", 1);
        var notifier = new RecordingNotifier(failuresBeforeSuccess: int.MaxValue);

        var before = DateTimeOffset.UtcNow;
        Assert.Equal(1, await Dispatcher(notifier, maxAttempts: 1).DispatchDueAsync(CancellationToken.None));

        var dead = await Store.ReadAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, id);
        Assert.NotNull(dead);
        Assert.True((bool?)dead.Body["dead"]);
        Assert.Contains("receiver unavailable", (string?)dead.Body["lastError"]);
        await AssertExpiresAfterRetentionAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, id, before);

        await WaitUntilGoneAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, id);
        Assert.Empty(notifier.Delivered);
        var left = await Store.QueryAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, new DocumentQuery());
        Assert.Empty(left.Items);
    }

    [StoreFact]
    public async Task An_outbox_item_still_being_retried_has_no_time_to_live()
    {
        await new DeploymentOutbox(Store, TimeProvider.System).EnqueueAsync(SampleDeployment("dep-retry-1"));
        var id = DeploymentOutbox.ItemId("dep-retry-1", 1);

        Assert.Equal(1, await Dispatcher(new RecordingNotifier(failuresBeforeSuccess: int.MaxValue), maxAttempts: 5)
            .DispatchDueAsync(CancellationToken.None));

        var retrying = await Store.ReadAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, id);
        Assert.False((bool?)retrying!.Body["dead"]);
        Assert.Equal(1, (int?)retrying.Body["attempts"]);
        Assert.Null(await StoredExpiryAsync(DeploymentOutbox.Container, DeploymentOutbox.Partition, id));
    }

    [StoreFact]
    public async Task A_failed_slack_input_carries_the_dead_retention_and_is_dropped_after_it()
    {
        var options = Options.Create(new SlackOptions { Inbox = new SlackInboxOptions { DeadRetention = Retention } });
        var inbox = new SlackInbox(Store, TimeProvider.System, options);
        Assert.Equal(SlackAdmission.Stored, await inbox.EnqueueAsync("event-Ev-dead", SlackInboxKinds.Event,
            new JsonObject { ["type"] = "message", ["text"] = "hello" }, CancellationToken.None));
        Assert.True(inbox.HandedOff.TryRead(out var item));
        Assert.Null(await StoredExpiryAsync(SlackInbox.Container, SlackInbox.Partition, item.Id)); // not while it is pending

        var before = DateTimeOffset.UtcNow;
        await inbox.FailAsync(item, "InvalidOperationException", CancellationToken.None);

        var failed = await Store.ReadAsync(SlackInbox.Container, SlackInbox.Partition, item.Id);
        Assert.Equal("failed", (string?)failed!.Body["status"]);
        Assert.Null(failed.Body["payload"]);
        await AssertExpiresAfterRetentionAsync(SlackInbox.Container, SlackInbox.Partition, item.Id, before);

        await WaitUntilGoneAsync(SlackInbox.Container, SlackInbox.Partition, item.Id);
    }

    [StoreFact]
    public void The_defaults_keep_dead_items_fourteen_days()
    {
        Assert.Equal(TimeSpan.FromDays(14), new OutboxOptions().DeadRetention);
        Assert.Equal(TimeSpan.FromDays(14), new SlackOptions().Inbox.DeadRetention);
    }
}

public sealed class SqliteDeadOutboxItemTests() : DeadOutboxItemTests(StoreKind.Sqlite)
{
    protected override async Task<DateTimeOffset?> StoredExpiryAsync(string container, string partitionKey, string id)
    {
        var path = ((SqliteDocumentStore)TestStore.Store).FilePath;
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT expires_at FROM documents WHERE container = @c AND pk = @pk AND id = @id";
        command.Parameters.AddWithValue("@c", container);
        command.Parameters.AddWithValue("@pk", partitionKey);
        command.Parameters.AddWithValue("@id", id);
        var expiresAt = await command.ExecuteScalarAsync();
        // The column holds the expiry in Unix milliseconds.
        return expiresAt is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }
}

[RequiresNode]
public sealed class CosmosDeadOutboxItemTests() : DeadOutboxItemTests(StoreKind.Cosmos)
{
    protected override async Task<DateTimeOffset?> StoredExpiryAsync(string container, string partitionKey, string id)
    {
        var server = await CosmosTestServer.GetAsync();
        var database = TestStore.Configuration["Storage:Cosmos:Database"]!;
        using var raw = await server.Admin.GetContainer(database, container).ReadItemStreamAsync(id, new PartitionKey(partitionKey));
        raw.EnsureSuccessStatusCode();
        var item = (await JsonNode.ParseAsync(raw.Content))!.AsObject();
        // Cosmos DB drops an item ttl seconds after its last write (_ts, whole Unix seconds).
        return item["ttl"] is JsonValue ttl
            ? DateTimeOffset.FromUnixTimeSeconds(item["_ts"]!.GetValue<long>() + ttl.GetValue<long>())
            : null;
    }
}
