using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Storage;
using PartnerBot.Tests.Infrastructure;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Deployments;

/// <summary>
/// A cancelled deployment's refund is a recorded intent: written with the state change, completed by the worker. The
/// real host is cancelled over the REST API and "crashes" between the two (its store refuses the refund write until it
/// stops); the next host on the same SQLite store refunds once.
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
        var first = await BotTestHost.StartAsync(store: store, configure: b => b.Services.AddSingleton<IDocumentStore>(_ =>
            outage = new RefundOutageStore(store.Reopen(), "refund:deployment:" + DeploymentId)));
        try
        {
            var ledger = first.Services.GetRequiredService<ICreditLedger>();
            await ledger.GetBalanceAsync(Partner); // sign-up award: 100
            await ledger.DebitAsync(Partner, 3, SpendPolicy.AnyBucket, "deployment:" + DeploymentId, Partner);
            // Charged and queued, but not yet handed to a runner: a cancel ends it before anything ran.
            await first.Services.GetRequiredService<DeploymentRepository>().CreateAsync(QueuedDeployment());
            var key = (await first.Services.GetRequiredService<ApiKeyStore>().CreateAsync(Partner, false, "test", null)).Key;

            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/deployments/{DeploymentId}/cancel");
            request.Headers.Add("X-Api-Key", key);
            using var response = await first.Client.SendAsync(request);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Cancelled", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["state"]);
            Assert.True(outage!.Refused > 0, "the refund write was never attempted");
            var stored = await StoredAsync(first);
            Assert.True(stored.RefundDue);
            Assert.Null(stored.Refunded);
            Assert.Equal(97, (await ledger.GetBalanceAsync(Partner)).Total);
        }
        finally
        {
            await first.DisposeAsync(); // the host goes down with the refund still due
        }

        await using var second = await BotTestHost.StartAsync(store: store);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await StoredAsync(second)).Refunded is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the restarted host did not give the refund that was due");
            await Task.Delay(100);
        }
        var worker = second.Services.GetRequiredService<DeploymentWorker>();
        await worker.SettleRefundsAsync(CancellationToken.None);
        await worker.SettleRefundsAsync(CancellationToken.None);

        var after = second.Services.GetRequiredService<ICreditLedger>();
        Assert.Equal(100, (await after.GetBalanceAsync(Partner)).Total);
        var refund = Assert.Single((await after.ListTransactionsAsync(Partner, null, 200)).Items, t => t.Kind == CreditTransactionKind.Refund);
        Assert.Equal("refund:deployment:" + DeploymentId, refund.Reference);
        Assert.Equal(3, refund.Amount);
        var settled = await StoredAsync(second);
        Assert.False(settled.RefundDue);
        Assert.Equal(3, settled.Refunded);
        Assert.Equal(DeploymentState.Cancelled, settled.State);
    }

    private static async Task<Deployment> StoredAsync(BotTestHost host) =>
        (await host.Services.GetRequiredService<DeploymentRepository>().GetAsync(Partner, DeploymentId))!.Deployment;

    private static Deployment QueuedDeployment()
    {
        var at = DateTimeOffset.UtcNow;
        return new Deployment
        {
            Id = DeploymentId, PartnerId = Partner, CreatedBy = Partner, Module = new ModuleReference("Network", "platform"),
            Inputs = new Dictionary<string, JsonNode?> { ["project_id"] = "acme-prod-1" },
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
