using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Storage;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Deployments;

/// <summary>
/// A cancelled deployment's refund is a recorded intent: written with the state change, completed by the worker. The
/// host "crashes" between the two (its store refuses the refund write until it stops), and the next host refunds once.
/// </summary>
public sealed class RefundIntentTests
{
    private const string Partner = "p-refund-crash";
    private const string DeploymentId = "dep-refund-crash";

    [Fact]
    public async Task A_refund_lost_between_cancelled_and_the_ledger_is_given_once_after_a_restart()
    {
        await using var store = await TestStore.CreateAsync(StoreKind.Sqlite);
        RefundOutageStore? outage = null;
        var first = await DeploymentHarness.StartAsync(services: s =>
        {
            s.RemoveAll<IDocumentStore>();
            s.AddSingleton<IDocumentStore>(_ => outage = new RefundOutageStore(store.Reopen(), "refund:deployment:" + DeploymentId));
        }, sharedStore: store);
        DeploymentView cancelled;
        try
        {
            var ledger = first.Get<ICreditLedger>();
            await ledger.GetBalanceAsync(Partner); // sign-up award: 10
            await ledger.DebitAsync(Partner, 3, SpendPolicy.AnyBucket, "deployment:" + DeploymentId, Partner);
            // Charged and queued, but not yet handed to a runner: a cancel ends it before anything ran.
            await first.Get<DeploymentRepository>().CreateAsync(QueuedDeployment());

            var result = await first.Get<DeploymentService>().CancelAsync(new DeploymentCaller(Partner, false), DeploymentId);

            cancelled = Assert.IsType<DeploymentCommandResult.Done>(result).Deployment;
            Assert.Equal(DeploymentState.Cancelled, cancelled.State);
            Assert.True(outage!.Refused > 0, "the refund write was never attempted");
            var stored = (await first.Get<DeploymentRepository>().GetAsync(Partner, DeploymentId))!.Deployment;
            Assert.True(stored.RefundDue);
            Assert.Null(stored.Refunded);
            Assert.Equal(7, (await ledger.GetBalanceAsync(Partner)).Total);
        }
        finally
        {
            await first.StopAsync(); // the host goes down with the refund still due
        }

        await using var second = await DeploymentHarness.StartAsync(sharedStore: store);
        var refunded = await second.WaitAsync(Partner, DeploymentId, v => v.Refunded is not null);
        Assert.Equal(3, refunded.Refunded);
        var worker = second.Get<DeploymentWorker>();
        await worker.SettleRefundsAsync(CancellationToken.None);
        await worker.SettleRefundsAsync(CancellationToken.None);

        var after = second.Get<ICreditLedger>();
        Assert.Equal(10, (await after.GetBalanceAsync(Partner)).Total);
        var refunds = (await after.ListTransactionsAsync(Partner, null, 200)).Items.Where(t => t.Kind == CreditTransactionKind.Refund).ToList();
        var refund = Assert.Single(refunds);
        Assert.Equal("refund:deployment:" + DeploymentId, refund.Reference);
        Assert.Equal(3, refund.Amount);
        var settled = (await second.Get<DeploymentRepository>().GetAsync(Partner, DeploymentId))!.Deployment;
        Assert.False(settled.RefundDue);
        Assert.Equal(DeploymentState.Cancelled, settled.State);
    }

    private static Deployment QueuedDeployment()
    {
        var at = DateTimeOffset.UtcNow;
        return new Deployment
        {
            Id = DeploymentId, PartnerId = Partner, CreatedBy = Partner, Module = new ModuleReference("Tiny", "platform"),
            Inputs = new Dictionary<string, JsonNode?> { ["label"] = "cancelled" },
            Charged = true, Cost = 3, CreatedAt = at, CreatedAtMs = at.ToUnixTimeMilliseconds(), UpdatedAt = at,
        }.Record(DeploymentState.Queued, "Queued.", Partner, at) with { OutboxPending = false };
    }

    /// <summary>The real store, except that every ledger write carrying <paramref name="refundReference"/> fails as a lost backend would.</summary>
    private sealed class RefundOutageStore(IDocumentStore inner, string refundReference) : IDocumentStore
    {
        private int _refused;
        public int Refused => Volatile.Read(ref _refused);

        private void RefuseRefund(string container, JsonObject body)
        {
            if (container != CreditLedger.Container || !body.ToJsonString().Contains(refundReference, StringComparison.Ordinal)) return;
            Interlocked.Increment(ref _refused);
            throw new StorageException(StorageErrorKind.Unavailable, "storage went away");
        }

        public Task<StoredDocument?> ReadAsync(string c, string p, string i, CancellationToken ct = default) => inner.ReadAsync(c, p, i, ct);
        public Task<StoredDocument> CreateAsync(string c, string p, string i, JsonObject b, DocumentOptions? o = null, CancellationToken ct = default)
        {
            RefuseRefund(c, b);
            return inner.CreateAsync(c, p, i, b, o, ct);
        }
        public Task<StoredDocument> UpsertAsync(string c, string p, string i, JsonObject b, DocumentOptions? o = null, CancellationToken ct = default)
        {
            RefuseRefund(c, b);
            return inner.UpsertAsync(c, p, i, b, o, ct);
        }
        public Task<StoredDocument> ReplaceAsync(string c, string p, string i, JsonObject b, string m, DocumentOptions? o = null, CancellationToken ct = default)
        {
            RefuseRefund(c, b);
            return inner.ReplaceAsync(c, p, i, b, m, o, ct);
        }
        public Task DeleteAsync(string c, string p, string i, string? m = null, CancellationToken ct = default) => inner.DeleteAsync(c, p, i, m, ct);
        public Task<StoredDocument> PatchAsync(string c, string p, string i, IReadOnlyList<PatchOperation> ops, IReadOnlyList<FieldFilter>? cond = null,
            string? m = null, CancellationToken ct = default) => inner.PatchAsync(c, p, i, ops, cond, m, ct);
        public Task<DocumentPage> QueryAsync(string c, string? p, DocumentQuery q, CancellationToken ct = default) => inner.QueryAsync(c, p, q, ct);
        public Task<bool> PingAsync(CancellationToken ct = default) => inner.PingAsync(ct);
    }
}
