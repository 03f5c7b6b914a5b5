using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Billing;

/// <summary>A user's billing state: their Stripe customer and their one subscription.</summary>
public sealed record BillingAccount
{
    public string Type { get; init; } = "account";
    public required string UserId { get; init; }
    public string? CustomerId { get; init; }
    public string? SubscriptionId { get; init; }
    /// <summary>Stripe's subscription status (<c>active</c>, <c>past_due</c>, <c>canceled</c>, ...) or <c>sandbox</c>.</summary>
    public string? SubscriptionStatus { get; init; }
    public string? TierName { get; init; }
    public decimal TierCredits { get; init; }
    /// <summary>The Stripe event time (unix seconds) of the last subscription change applied; older events are ignored.</summary>
    public long SubscriptionChangedAt { get; init; }
    /// <summary>The start (unix seconds) of the newest period whose credits were granted (a Reset never goes back).</summary>
    public long LastPeriodStart { get; init; }
    public bool Sandbox { get; init; }

    public bool HasActiveSubscription => SubscriptionStatus is "active" or "trialing" or "past_due" or "sandbox";
}

/// <summary>
/// Billing documents in the <c>billing</c> container: one account per user (partition = user id), a customer → user
/// map (partition <c>customers</c>) and every processed Stripe event id (partition <c>stripe-events</c>).
/// </summary>
public sealed class BillingAccounts(IDocumentStore store)
{
    public const string Container = "billing";
    private const string AccountId = "account";
    private const string CustomersPartition = "customers";
    private const string EventsPartition = "stripe-events";

    public async Task<BillingAccount> GetAsync(string userId, CancellationToken ct)
    {
        var document = await store.ReadAsync(Container, userId, AccountId, ct);
        return document is null ? new BillingAccount { UserId = userId } : StoreJson.FromBody<BillingAccount>(document.Body);
    }

    /// <summary>Read-modify-write with the ETag, retried on a concurrent change.</summary>
    public async Task<BillingAccount> UpdateAsync(string userId, Func<BillingAccount, BillingAccount> change, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var document = await store.ReadAsync(Container, userId, AccountId, ct);
            var current = document is null ? new BillingAccount { UserId = userId } : StoreJson.FromBody<BillingAccount>(document.Body);
            var next = change(current);
            try
            {
                if (document is null) await store.CreateAsync(Container, userId, AccountId, StoreJson.ToBody(next), ct: ct);
                else await store.ReplaceAsync(Container, userId, AccountId, StoreJson.ToBody(next), document.ETag, ct: ct);
                return next;
            }
            catch (StorageException e) when (e.Kind is StorageErrorKind.PreconditionFailed or StorageErrorKind.Conflict)
            {
                await Task.Delay(Random.Shared.Next(1, 10), ct);
            }
        }
        throw new StorageException(StorageErrorKind.Unavailable, $"The billing account of user {userId} kept changing.");
    }

    public async Task LinkCustomerAsync(string customerId, string userId, CancellationToken ct)
    {
        await store.UpsertAsync(Container, CustomersPartition, customerId,
            StoreJson.ToBody(new CustomerLink("customer", customerId, userId)), ct: ct);
        await UpdateAsync(userId, a => a.CustomerId == customerId ? a : a with { CustomerId = customerId }, ct);
    }

    public async Task<string?> FindUserByCustomerAsync(string customerId, CancellationToken ct)
    {
        var document = await store.ReadAsync(Container, CustomersPartition, customerId, ct);
        return document is null ? null : StoreJson.FromBody<CustomerLink>(document.Body).UserId;
    }

    public async Task<bool> IsEventProcessedAsync(string eventId, CancellationToken ct) =>
        await store.ReadAsync(Container, EventsPartition, eventId, ct) is not null;

    public async Task MarkEventProcessedAsync(string eventId, string type, DateTimeOffset at, CancellationToken ct)
    {
        try
        {
            await store.CreateAsync(Container, EventsPartition, eventId,
                StoreJson.ToBody(new ProcessedEvent("stripe-event", eventId, type, at)), ct: ct);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
            // A parallel delivery of the same event finished first; its effects are idempotent.
        }
    }

    private sealed record CustomerLink(string Type, string CustomerId, string UserId);
    private sealed record ProcessedEvent(string Type, string EventId, string EventType, DateTimeOffset ProcessedAt);
}
