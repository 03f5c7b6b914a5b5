using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Support;

/// <summary>The outcome of a staff action on a ticket.</summary>
public enum TicketChangeOutcome { Changed, Unchanged, NotFound, ClaimedByOther, NotOpen }

public sealed record TicketChange(TicketChangeOutcome Outcome, SupportTicket? Ticket);

/// <summary>
/// Tickets (container <c>tickets</c>, partition = requester's user id). Every change is one replace-if-match of the
/// ticket document, which also carries the notifications the change owes (<see cref="SupportTicket.Pending"/>), so a
/// change and its forward are never separated; <see cref="Delivered"/> removes them once sent.
/// </summary>
public sealed class TicketStore(IDocumentStore store, IOptions<SupportOptions> options, TimeProvider clock)
{
    public const string Container = "tickets";

    /// <summary>Raised after a write that left deliveries pending (the delivery worker wakes up).</summary>
    public event Action? DeliveriesPending;

    /// <summary>Stores a new ticket (status New) with its forwards pending; the same <paramref name="requestKey"/> stores it once.</summary>
    public async Task<SupportTicket> CreateAsync(NewTicket request, string requestKey, CancellationToken ct = default)
    {
        var id = StoreJson.StableId("tkt-", request.RequesterId, requestKey);
        var now = clock.GetUtcNow();
        var entry = new TicketEntry(request.RequesterId, request.RequesterName, false, request.Message, now);
        var pending = options.Value.StaffTargets.Select(t => NewDelivery(t, DeliveryKinds.Forward, 0, null, now)).ToList();
        var ticket = new SupportTicket(id, request.RequesterId, request.RequesterName, request.RequesterEmail, request.Subject,
            request.Category, TicketStatus.New, request.DeploymentId, request.ModuleName, request.TechnicalSupportUsers, null, null,
            [entry], request.ConversationChannel, request.ConversationAddress, null, null, pending, pending.Count, now, now);
        try
        {
            await store.CreateAsync(Container, request.RequesterId, id, StoreJson.ToBody(ticket), ct: ct);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.Conflict)
        {
            return await FindAsync(request.RequesterId, id, ct) ?? ticket;
        }
        if (pending.Count > 0) DeliveriesPending?.Invoke();
        return ticket;
    }

    public async Task<SupportTicket?> FindAsync(string requesterId, string ticketId, CancellationToken ct = default)
    {
        if (!IsTicketId(ticketId)) return null;
        var doc = await store.ReadAsync(Container, requesterId, ticketId, ct);
        return doc is null ? null : StoreJson.FromBody<SupportTicket>(doc.Body);
    }

    /// <summary>A ticket by id alone (staff cards carry only the id).</summary>
    public async Task<SupportTicket?> FindByIdAsync(string ticketId, CancellationToken ct = default)
    {
        if (!IsTicketId(ticketId)) return null;
        var page = await store.QueryAsync(Container, null, new DocumentQuery
        {
            Filters = [FieldFilter.Eq("/ticketId", ticketId)],
            PageSize = 1,
        }, ct);
        return page.Items.Count == 0 ? null : StoreJson.FromBody<SupportTicket>(page.Items[0].Body);
    }

    /// <summary>The requester's tickets, newest first.</summary>
    public async Task<(IReadOnlyList<SupportTicket> Items, string? ContinuationToken)> ListForRequesterAsync(string requesterId,
        string? continuationToken, int pageSize, CancellationToken ct = default) =>
        await ListAsync(requesterId, [], continuationToken, pageSize, ct);

    /// <summary>Everyone's tickets (staff views), newest first, optionally only one status.</summary>
    public async Task<(IReadOnlyList<SupportTicket> Items, string? ContinuationToken)> ListAllAsync(TicketStatus? status,
        string? continuationToken, int pageSize, CancellationToken ct = default) =>
        await ListAsync(null, status is { } s ? [FieldFilter.Eq("/status", s.ToString())] : [], continuationToken, pageSize, ct);

    /// <summary>The open tickets <paramref name="assigneeId"/> holds.</summary>
    public async Task<IReadOnlyList<SupportTicket>> ListHeldByAsync(string assigneeId, CancellationToken ct = default)
    {
        var held = new List<SupportTicket>();
        var query = new DocumentQuery
        {
            Filters = [FieldFilter.Eq("/assigneeId", assigneeId), FieldFilter.In("/status", "New", "InProgress")],
            PageSize = 100,
        };
        while (true)
        {
            var page = await store.QueryAsync(Container, null, query, ct);
            held.AddRange(page.Items.Select(d => StoreJson.FromBody<SupportTicket>(d.Body)));
            if (page.ContinuationToken is null) break;
            query = query with { ContinuationToken = page.ContinuationToken };
        }
        return held;
    }

    /// <summary>Tickets that still owe a notification, due now.</summary>
    public async Task<IReadOnlyList<SupportTicket>> ListWithDueDeliveriesAsync(int max, CancellationToken ct = default)
    {
        var page = await store.QueryAsync(Container, null, new DocumentQuery
        {
            Filters = [FieldFilter.Gt("/pendingCount", 0)],
            PageSize = max,
        }, ct);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return page.Items.Select(d => StoreJson.FromBody<SupportTicket>(d.Body))
            .Where(t => t.Pending.Any(p => !p.Dead && p.DueAtMs <= now)).ToList();
    }

    /// <summary>Staff takes the ticket: In progress, assigned to them; the customer is told.</summary>
    public Task<TicketChange> ClaimAsync(SupportTicket ticket, string staffId, string staffName, CancellationToken ct = default) =>
        ChangeAsync(ticket, t =>
        {
            if (!t.IsOpen) return (TicketChangeOutcome.NotOpen, t);
            if (t.AssigneeId is { } other && other != staffId) return (TicketChangeOutcome.ClaimedByOther, t);
            if (t.AssigneeId == staffId && t.Status == TicketStatus.InProgress) return (TicketChangeOutcome.Unchanged, t);
            var next = t with { AssigneeId = staffId, AssigneeName = staffName, Status = TicketStatus.InProgress };
            return (TicketChangeOutcome.Changed, WithStatusNotice(next, t.Status));
        }, ct);

    /// <summary>Resolved or Closed; the customer is told. A closed ticket stays closed.</summary>
    public Task<TicketChange> SetStatusAsync(SupportTicket ticket, TicketStatus status, string staffId, string staffName, CancellationToken ct = default) =>
        ChangeAsync(ticket, t =>
        {
            if (t.Status == status) return (TicketChangeOutcome.Unchanged, t);
            if (t.Status == TicketStatus.Closed) return (TicketChangeOutcome.NotOpen, t);
            var next = t with { Status = status, AssigneeId = t.AssigneeId ?? staffId, AssigneeName = t.AssigneeName ?? staffName };
            return (TicketChangeOutcome.Changed, WithStatusNotice(next, t.Status));
        }, ct);

    /// <summary>A staff reply: appended and relayed to the customer's conversation. An unclaimed ticket becomes the replier's.</summary>
    public Task<TicketChange> AddStaffReplyAsync(SupportTicket ticket, string staffId, string staffName, string text, CancellationToken ct = default) =>
        ChangeAsync(ticket, t =>
        {
            if (t.Status == TicketStatus.Closed) return (TicketChangeOutcome.NotOpen, t);
            var now = clock.GetUtcNow();
            var next = t with
            {
                Entries = [.. t.Entries, new TicketEntry(staffId, staffName, true, text, now)],
                AssigneeId = t.AssigneeId ?? staffId,
                AssigneeName = t.AssigneeName ?? staffName,
                Status = t.Status == TicketStatus.New ? TicketStatus.InProgress : t.Status,
            };
            next = Enqueue(next, NewDelivery(DeliveryTargets.Customer, DeliveryKinds.Entry, next.Entries.Count - 1, null, now));
            return (TicketChangeOutcome.Changed, next);
        }, ct);

    /// <summary>The customer's answer: appended and relayed to the staff channels (in the ticket's thread).</summary>
    public Task<TicketChange> AddCustomerAnswerAsync(SupportTicket ticket, string text, CancellationToken ct = default) =>
        ChangeAsync(ticket, t =>
        {
            if (t.Status == TicketStatus.Closed) return (TicketChangeOutcome.NotOpen, t);
            var now = clock.GetUtcNow();
            var next = t with
            {
                Entries = [.. t.Entries, new TicketEntry(t.RequesterId, t.RequesterName, false, text, now)],
                // An answer after "resolved" means it is not solved after all.
                Status = t.Status == TicketStatus.Resolved ? TicketStatus.InProgress : t.Status,
            };
            foreach (var target in options.Value.StaffTargets)
                next = Enqueue(next, NewDelivery(target, DeliveryKinds.Entry, next.Entries.Count - 1, null, now));
            return (TicketChangeOutcome.Changed, next);
        }, ct);

    /// <summary>
    /// Takes a due delivery for this instance to send: its due time moves <see cref="SupportOptions.DeliveryLease"/> ahead,
    /// so other instances pass it by. If this instance stops before <see cref="DeliveredAsync"/> or
    /// <see cref="FailedAsync"/>, the delivery falls due again when the lease ends and another instance sends it.
    /// Null when it is not due any more: another instance took it, or it was sent or set aside meanwhile.
    /// </summary>
    public async Task<SupportTicket?> TakeDeliveryAsync(SupportTicket ticket, string deliveryId, CancellationToken ct = default)
    {
        var taken = await ChangeAsync(ticket, t =>
        {
            var now = clock.GetUtcNow();
            if (t.Pending.FirstOrDefault(p => p.Id == deliveryId) is not { Dead: false } due || due.DueAtMs > now.ToUnixTimeMilliseconds())
                return (TicketChangeOutcome.Unchanged, t);
            var leased = due with { DueAtMs = (now + options.Value.DeliveryLease).ToUnixTimeMilliseconds() };
            return (TicketChangeOutcome.Changed, t with { Pending = t.Pending.Select(p => p.Id == deliveryId ? leased : p).ToList() });
        }, ct, notify: false);
        return taken.Outcome == TicketChangeOutcome.Changed ? taken.Ticket : null;
    }

    /// <summary>Removes a sent delivery and records where the forward landed (staff threads).</summary>
    public Task<TicketChange> DeliveredAsync(SupportTicket ticket, string deliveryId, JsonObject? slackThread, JsonObject? teamsThread,
        CancellationToken ct = default) =>
        ChangeAsync(ticket, t =>
        {
            var next = t with
            {
                Pending = t.Pending.Where(p => p.Id != deliveryId).ToList(),
                SlackThread = t.SlackThread ?? slackThread,
                TeamsThread = t.TeamsThread ?? teamsThread,
            };
            next = next with { PendingCount = next.Pending.Count(p => !p.Dead) };
            return (TicketChangeOutcome.Changed, next);
        }, ct, notify: false);

    /// <summary>Reschedules a failed delivery with exponential back-off, or sets it aside after the last attempt.</summary>
    public Task<TicketChange> FailedAsync(SupportTicket ticket, string deliveryId, string error, CancellationToken ct = default) =>
        ChangeAsync(ticket, t =>
        {
            var o = options.Value;
            var next = t with
            {
                Pending = t.Pending.Select(p =>
                {
                    if (p.Id != deliveryId) return p;
                    var attempts = p.Attempts + 1;
                    var delay = TimeSpan.FromMilliseconds(Math.Min(o.MaxRetryDelay.TotalMilliseconds,
                        o.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 20))));
                    return p with
                    {
                        Attempts = attempts, LastError = error, Dead = attempts >= o.MaxAttempts,
                        DueAtMs = (clock.GetUtcNow() + delay).ToUnixTimeMilliseconds(),
                    };
                }).ToList(),
            };
            next = next with { PendingCount = next.Pending.Count(p => !p.Dead) };
            return (TicketChangeOutcome.Changed, next);
        }, ct, notify: false);

    private SupportTicket WithStatusNotice(SupportTicket next, TicketStatus previous) =>
        next.Status == previous ? next : Enqueue(next, NewDelivery(DeliveryTargets.Customer, DeliveryKinds.Status, -1, next.Status, clock.GetUtcNow()));

    private static SupportTicket Enqueue(SupportTicket ticket, TicketDelivery delivery)
    {
        var pending = ticket.Pending.Append(delivery).ToList();
        return ticket with { Pending = pending, PendingCount = pending.Count(p => !p.Dead) };
    }

    private static TicketDelivery NewDelivery(string target, string kind, int entryIndex, TicketStatus? status, DateTimeOffset now) =>
        new("d-" + Guid.NewGuid().ToString("N")[..16], target, kind, entryIndex, status, 0, now.ToUnixTimeMilliseconds(), null);

    private async Task<TicketChange> ChangeAsync(SupportTicket ticket, Func<SupportTicket, (TicketChangeOutcome, SupportTicket)> change,
        CancellationToken ct, bool notify = true)
    {
        for (var attempt = 0; ; attempt++)
        {
            var doc = await store.ReadAsync(Container, ticket.RequesterId, ticket.Id, ct);
            if (doc is null) return new TicketChange(TicketChangeOutcome.NotFound, null);
            var current = StoreJson.FromBody<SupportTicket>(doc.Body);
            var (outcome, next) = change(current);
            if (outcome != TicketChangeOutcome.Changed) return new TicketChange(outcome, current);
            next = next with { UpdatedAt = clock.GetUtcNow() };
            try
            {
                await store.ReplaceAsync(Container, ticket.RequesterId, ticket.Id, StoreJson.ToBody(next), doc.ETag, ct: ct);
                if (notify && next.PendingCount > 0) DeliveriesPending?.Invoke();
                return new TicketChange(TicketChangeOutcome.Changed, next);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed && attempt < 10)
            {
            }
        }
    }

    private async Task<(IReadOnlyList<SupportTicket>, string?)> ListAsync(string? partition, IReadOnlyList<FieldFilter> filters,
        string? continuationToken, int pageSize, CancellationToken ct)
    {
        var page = await store.QueryAsync(Container, partition, new DocumentQuery
        {
            Filters = filters,
            OrderBy = "/createdAt",
            Descending = true,
            PageSize = Math.Clamp(pageSize, 1, 100),
            ContinuationToken = continuationToken,
        }, ct);
        return (page.Items.Select(d => StoreJson.FromBody<SupportTicket>(d.Body)).ToList(), page.ContinuationToken);
    }

    private static bool IsTicketId(string id) =>
        id.Length is > 4 and < 64 && id.StartsWith("tkt-", StringComparison.Ordinal) && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
