using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;
using PartnerBot.Api.Telemetry;

namespace PartnerBot.Api.Credits;

/// <summary>The credit ledger of every user: three balances, spent in a fixed order, changed only through references.</summary>
public interface ICreditLedger
{
    /// <summary>The user's balances; the first call for a user opens the account and grants the sign-up award once.</summary>
    Task<CreditBalances> GetBalanceAsync(string userId, CancellationToken ct = default);

    /// <summary>Adds credits to one bucket, once per <paramref name="reference"/>.</summary>
    Task<CreditResult> CreditAsync(string userId, CreditBucket bucket, decimal amount, CreditTransactionKind kind,
        string reference, string by, CancellationToken ct = default);

    /// <summary>Takes <paramref name="amount"/> credits, once per <paramref name="reference"/>; never leaves a bucket below zero.</summary>
    Task<DebitResult> DebitAsync(string userId, decimal amount, SpendPolicy policy, string reference, string by,
        CancellationToken ct = default);

    /// <summary>
    /// Sets one bucket to <paramref name="amount"/> (a period reset), once per <paramref name="reference"/>; the
    /// transaction records the signed change, which may be negative or zero.
    /// </summary>
    Task<CreditResult> SetBucketAsync(string userId, CreditBucket bucket, decimal amount, CreditTransactionKind kind,
        string reference, string by, CancellationToken ct = default);

    /// <summary>The user's transactions matching <paramref name="filter"/>, newest first.</summary>
    Task<CreditTransactionPage> QueryTransactionsAsync(string userId, CreditTransactionFilter filter, string? continuationToken,
        int pageSize = 50, CancellationToken ct = default);

    /// <summary>
    /// Takes back <paramref name="amount"/> credits whose payment was reversed, once per <paramref name="reference"/>. Unlike a
    /// debit it is never refused: what the balance cannot cover leaves it negative (see <see cref="SpendOrder.Reversal"/>).
    /// </summary>
    Task<CreditResult> ReverseAsync(string userId, decimal amount, string reference, string by, CancellationToken ct = default);

    /// <summary>The transaction applied with <paramref name="reference"/>, or null when there is none.</summary>
    Task<CreditTransaction?> FindTransactionAsync(string userId, string reference, CancellationToken ct = default);

    /// <summary>Gives back exactly what the debit with <paramref name="debitReference"/> took, once.</summary>
    Task<CreditResult> RefundAsync(string userId, string debitReference, string by, CancellationToken ct = default);

    /// <summary>The user's transactions, newest first.</summary>
    Task<CreditTransactionPage> ListTransactionsAsync(string userId, string? continuationToken, int pageSize = 50,
        CancellationToken ct = default);

    /// <summary>Writes any transaction document that a crash left unwritten (the balance document remembers them).</summary>
    Task ReconcileAsync(string userId, CancellationToken ct = default);
}

/// <summary>
/// One balance document per user (partition = user id) changed only by replace-if-match. The same write records
/// the reference (so a retry is recognised) and keeps the new transaction in <c>unrecorded</c>; the immutable
/// transaction document (id derived from the reference) is created right after and, should that be lost, by the
/// next change or <see cref="ReconcileAsync"/>. No multi-document transaction is needed.
/// </summary>
public sealed class CreditLedger(IDocumentStore store, IOptions<CreditOptions> options, TimeProvider clock, ILogger<CreditLedger> logger)
    : ICreditLedger
{
    public const string Container = "credits";
    private const string BalanceId = "balance";
    private const int AppliedReferencesKept = 256;
    private const int MaxAttempts = 2000;

    public async Task<CreditBalances> GetBalanceAsync(string userId, CancellationToken ct = default)
    {
        var (_, balance) = await LoadOrOpenAsync(userId, ct);
        return balance.Balances;
    }

    public Task<CreditResult> CreditAsync(string userId, CreditBucket bucket, decimal amount, CreditTransactionKind kind,
        string reference, string by, CancellationToken ct = default)
    {
        if (amount <= 0) throw new ArgumentOutOfRangeException(nameof(amount), "A credit must be positive.");
        return ApplyCreditAsync(userId, CreditBalances.Only(bucket, amount), kind, reference, by, ct);
    }

    public async Task<DebitResult> DebitAsync(string userId, decimal amount, SpendPolicy policy, string reference, string by,
        CancellationToken ct = default)
    {
        if (amount < 0) throw new ArgumentOutOfRangeException(nameof(amount), "A debit cannot be negative.");
        var outcome = await ApplyAsync(userId, reference, CreditTransactionKind.Debit, by,
            balances => SpendOrder.Plan(balances, amount, policy) is { } plan
                ? (plan, null)
                : (null, new DebitResult.Insufficient(amount, balances.Available(policy))), ct);
        return outcome switch
        {
            Applied applied => new DebitResult.Debited(applied.Transaction),
            Duplicate => new DebitResult.AlreadyApplied(reference),
            Refused refused => (DebitResult)refused.Reason,
            _ => throw new InvalidOperationException("Unknown ledger outcome."),
        };
    }

    public async Task<CreditResult> SetBucketAsync(string userId, CreditBucket bucket, decimal amount, CreditTransactionKind kind,
        string reference, string by, CancellationToken ct = default)
    {
        if (amount < 0) throw new ArgumentOutOfRangeException(nameof(amount), "A balance cannot be set below zero.");
        var outcome = await ApplyAsync(userId, reference, kind, by,
            balances => (CreditBalances.Only(bucket, amount - balances[bucket]), null), ct);
        return outcome switch
        {
            Applied applied => new CreditResult.Credited(applied.Transaction),
            Duplicate => new CreditResult.AlreadyApplied(reference),
            _ => throw new InvalidOperationException("Setting a balance cannot be refused."),
        };
    }

    public async Task<CreditTransactionPage> QueryTransactionsAsync(string userId, CreditTransactionFilter filter,
        string? continuationToken, int pageSize = 50, CancellationToken ct = default)
    {
        await ReconcileAsync(userId, ct);
        var filters = new List<FieldFilter> { FieldFilter.Eq("/type", "transaction") };
        if (filter.Kind is { } kind) filters.Add(FieldFilter.Eq("/transaction/kind", kind.ToString()));
        if (filter.From is { } from) filters.Add(FieldFilter.Ge("/atMs", from.ToUnixTimeMilliseconds()));
        if (filter.To is { } to) filters.Add(FieldFilter.Lt("/atMs", to.ToUnixTimeMilliseconds()));
        if (filter.DeploymentId is { Length: > 0 } deploymentId) filters.Add(FieldFilter.Eq("/deploymentId", deploymentId));
        var page = await store.QueryAsync(Container, userId, new DocumentQuery
        {
            Filters = filters,
            OrderBy = "/atMs",
            Descending = !filter.Ascending,
            PageSize = Math.Clamp(pageSize, 1, 1000),
            ContinuationToken = continuationToken,
        }, ct);
        return new CreditTransactionPage(page.Items.Select(d => StoreJson.FromBody<TransactionDocument>(d.Body).Transaction).ToList(),
            page.ContinuationToken);
    }

    public async Task<CreditResult> RefundAsync(string userId, string debitReference, string by, CancellationToken ct = default)
    {
        var refundReference = "refund:" + debitReference;
        var original = await FindTransactionAsync(userId, debitReference, ct);
        if (original is null || original.Kind != CreditTransactionKind.Debit || original.Amount == 0)
            return new CreditResult.NothingToRefund(debitReference);
        return await ApplyCreditAsync(userId, original.Buckets.Negate(), CreditTransactionKind.Refund, refundReference, by, ct);
    }

    public Task<CreditResult> ReverseAsync(string userId, decimal amount, string reference, string by, CancellationToken ct = default)
    {
        if (amount <= 0) throw new ArgumentOutOfRangeException(nameof(amount), "A reversal must be positive.");
        return ApplyDecidedAsync(userId, balances => SpendOrder.Reversal(balances, amount), CreditTransactionKind.PaymentReversal,
            reference, by, ct);
    }

    public async Task<CreditTransactionPage> ListTransactionsAsync(string userId, string? continuationToken, int pageSize = 50,
        CancellationToken ct = default)
    {
        await ReconcileAsync(userId, ct);
        var page = await store.QueryAsync(Container, userId, new DocumentQuery
        {
            Filters = [FieldFilter.Eq("/type", "transaction")],
            OrderBy = "/atMs",
            Descending = true,
            PageSize = Math.Clamp(pageSize, 1, 200),
            ContinuationToken = continuationToken,
        }, ct);
        return new CreditTransactionPage(page.Items.Select(d => StoreJson.FromBody<TransactionDocument>(d.Body).Transaction).ToList(),
            page.ContinuationToken);
    }

    public async Task ReconcileAsync(string userId, CancellationToken ct = default)
    {
        var document = await store.ReadAsync(Container, userId, BalanceId, ct);
        if (document is null) return;
        foreach (var transaction in StoreJson.FromBody<BalanceDocument>(document.Body).Unrecorded)
            await RecordAsync(transaction, ct);
    }

    private Task<CreditResult> ApplyCreditAsync(string userId, CreditBalances delta, CreditTransactionKind kind,
        string reference, string by, CancellationToken ct) => ApplyDecidedAsync(userId, _ => delta, kind, reference, by, ct);

    private async Task<CreditResult> ApplyDecidedAsync(string userId, Func<CreditBalances, CreditBalances> delta,
        CreditTransactionKind kind, string reference, string by, CancellationToken ct)
    {
        var outcome = await ApplyAsync(userId, reference, kind, by, balances => (delta(balances), null), ct);
        return outcome switch
        {
            Applied applied => new CreditResult.Credited(applied.Transaction),
            Duplicate => new CreditResult.AlreadyApplied(reference),
            _ => throw new InvalidOperationException("A credit cannot be refused."),
        };
    }

    private abstract record Outcome;
    private sealed record Applied(CreditTransaction Transaction) : Outcome;
    private sealed record Duplicate : Outcome;
    private sealed record Refused(object Reason) : Outcome;

    private async Task<Outcome> ApplyAsync(string userId, string reference, CreditTransactionKind kind, string by,
        Func<CreditBalances, (CreditBalances? Delta, object? Refusal)> decide, CancellationToken ct)
    {
        var transactionId = TransactionId(reference);
        // References older than the bounded list are still recognised through their transaction document.
        if (await store.ReadAsync(Container, userId, transactionId, ct) is not null) return new Duplicate();

        var recorded = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            var (document, balance) = await LoadOrOpenAsync(userId, ct);
            if (balance.Applied.Contains(reference) || balance.Unrecorded.Any(t => t.Reference == reference))
                return new Duplicate();

            var (delta, refusal) = decide(balance.Balances);
            if (delta is null) return new Refused(refusal!);

            // This write drops the earlier unrecorded transactions, so they are made durable first.
            foreach (var pending in balance.Unrecorded.Where(t => recorded.Add(t.Id)))
                await RecordAsync(pending, ct);

            var after = balance.Balances.Add(delta);
            var now = clock.GetUtcNow();
            var transaction = new CreditTransaction(transactionId, userId, kind, delta.Total, delta, reference, now,
                now.ToUnixTimeMilliseconds(), by, after);
            var next = balance with
            {
                Awarded = after.Awarded,
                Subscription = after.Subscription,
                TopUp = after.TopUp,
                Applied = [.. balance.Applied.Append(reference).TakeLast(AppliedReferencesKept)],
                Unrecorded = [transaction],
                UpdatedAt = now,
            };
            try
            {
                await store.ReplaceAsync(Container, userId, BalanceId, StoreJson.ToBody(next), document.ETag, ct: ct);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed)
            {
                if (attempt > 8) await Task.Delay(Random.Shared.Next(1, Math.Min(attempt, 40)), ct);
                continue;
            }

            await RecordAsync(transaction, ct);
            CreditTelemetry.Moved(kind, transaction.Amount);
            logger.LogInformation("Credit {Kind} of {Amount} for user {UserId} applied (reference {Reference}).",
                kind, transaction.Amount, userId, reference);
            return new Applied(transaction);
        }

        throw new StorageException(StorageErrorKind.Unavailable,
            $"The balance of user {userId} changed {MaxAttempts} times in a row while applying {reference}.");
    }

    private async Task<(StoredDocument Document, BalanceDocument Balance)> LoadOrOpenAsync(string userId, CancellationToken ct)
    {
        var document = await store.ReadAsync(Container, userId, BalanceId, ct);
        if (document is null)
        {
            var opened = OpenAccount(userId);
            try
            {
                document = await store.CreateAsync(Container, userId, BalanceId, StoreJson.ToBody(opened), ct: ct);
                foreach (var award in opened.Unrecorded) CreditTelemetry.Moved(award.Kind, award.Amount);
                foreach (var transaction in opened.Unrecorded) await RecordAsync(transaction, ct);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
            {
                document = await store.ReadAsync(Container, userId, BalanceId, ct)
                    ?? throw new StorageException(StorageErrorKind.Unavailable, $"The balance of user {userId} vanished.");
            }
        }
        return (document, StoreJson.FromBody<BalanceDocument>(document.Body));
    }

    /// <summary>A new account holds the sign-up award, so the award is granted exactly once: when the account opens.</summary>
    private BalanceDocument OpenAccount(string userId)
    {
        var now = clock.GetUtcNow();
        var award = options.Value.SignupAward;
        var reference = "signup:" + userId;
        var opening = award > 0
            ? new[]
            {
                new CreditTransaction(TransactionId(reference), userId, CreditTransactionKind.SignupAward, award,
                    CreditBalances.Only(CreditBucket.Awarded, award), reference, now, now.ToUnixTimeMilliseconds(), "system",
                    CreditBalances.Only(CreditBucket.Awarded, award)),
            }
            : [];
        return new BalanceDocument("balance", userId, award, 0, 0, award > 0 ? [reference] : [], [.. opening], now);
    }

    public async Task<CreditTransaction?> FindTransactionAsync(string userId, string reference, CancellationToken ct = default)
    {
        var document = await store.ReadAsync(Container, userId, TransactionId(reference), ct);
        if (document is not null) return StoreJson.FromBody<TransactionDocument>(document.Body).Transaction;
        var balance = await store.ReadAsync(Container, userId, BalanceId, ct);
        return balance is null
            ? null
            : StoreJson.FromBody<BalanceDocument>(balance.Body).Unrecorded.FirstOrDefault(t => t.Reference == reference);
    }

    private async Task RecordAsync(CreditTransaction transaction, CancellationToken ct)
    {
        try
        {
            await store.CreateAsync(Container, transaction.UserId, transaction.Id,
                StoreJson.ToBody(new TransactionDocument("transaction", transaction.AtMs, transaction,
                    CreditReferences.DeploymentId(transaction.Reference))), ct: ct);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
            // Already recorded: transaction documents are immutable and their ids come from the reference.
        }
    }

    public static string TransactionId(string reference) => StoreJson.StableId("tx-", reference);

    private sealed record BalanceDocument(
        string Type,
        string UserId,
        decimal Awarded,
        decimal Subscription,
        decimal TopUp,
        IReadOnlyList<string> Applied,
        IReadOnlyList<CreditTransaction> Unrecorded,
        DateTimeOffset UpdatedAt)
    {
        [JsonIgnore] public CreditBalances Balances => new(Awarded, Subscription, TopUp);
    }

    private sealed record TransactionDocument(string Type, long AtMs, CreditTransaction Transaction, string? DeploymentId = null);
}
