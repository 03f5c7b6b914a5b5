using Microsoft.Extensions.Options;
using PartnerBot.Api.Support;

namespace PartnerBot.Bot.Features.Support;

/// <summary>
/// Delivers what tickets owe (forwards to the staff channels, relays, status notices) at least once: polls for tickets
/// with due deliveries (and wakes at once when a ticket is written), takes one (so no other instance sends it too), sends,
/// then removes the delivery from the ticket. A failure is logged and retried with back-off; after the last attempt the
/// delivery stays on the ticket, marked dead.
/// </summary>
internal sealed class SupportDeliveryWorker(
    TicketStore tickets,
    StaffChannels channels,
    IOptions<SupportOptions> options,
    TimeProvider clock,
    ILogger<SupportDeliveryWorker> log) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        tickets.DeliveriesPending += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await DeliverDueAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    log.LogError(e, "Delivering support notifications failed; retrying shortly.");
                }
                try { await _wake.WaitAsync(options.Value.PollInterval, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
        finally
        {
            tickets.DeliveriesPending -= Wake;
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try { _wake.Release(); } catch (SemaphoreFullException) { }
        }
    }

    /// <summary>One pass over the due deliveries; returns how many were sent.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var sent = 0;
        foreach (var listed in await tickets.ListWithDueDeliveriesAsync(50, ct))
        {
            var ticket = listed;
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            // Forwards first, so relays find the thread they belong to.
            foreach (var delivery in ticket.Pending.Where(p => !p.Dead && p.DueAtMs <= now).OrderBy(p => p.Kind == DeliveryKinds.Forward ? 0 : 1).ToList())
            {
                if (await tickets.TakeDeliveryAsync(ticket, delivery.Id, ct) is not { } taken) continue;
                ticket = taken;
                try
                {
                    var result = await channels.DeliverAsync(ticket, delivery, ct);
                    var change = await tickets.DeliveredAsync(ticket, delivery.Id, result.SlackThread, result.TeamsThread, ct);
                    ticket = change.Ticket ?? ticket;
                    sent++;
                    log.LogInformation("Support ticket {TicketId}: {Kind} delivered to {Target}", ticket.Id, delivery.Kind, delivery.Target);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    var change = await tickets.FailedAsync(ticket, delivery.Id, e.Message, ct);
                    ticket = change.Ticket ?? ticket;
                    var failed = ticket.Pending.FirstOrDefault(p => p.Id == delivery.Id);
                    if (failed?.Dead == true)
                        log.LogError(e, "Support ticket {TicketId}: {Kind} to {Target} failed {Attempts} times; set aside (kept on the ticket)",
                            ticket.Id, delivery.Kind, delivery.Target, failed.Attempts);
                    else
                        log.LogWarning("Support ticket {TicketId}: {Kind} to {Target} failed (attempt {Attempts}), will retry: {Error}",
                            ticket.Id, delivery.Kind, delivery.Target, failed?.Attempts, e.Message);
                }
            }
        }
        return sent;
    }
}
