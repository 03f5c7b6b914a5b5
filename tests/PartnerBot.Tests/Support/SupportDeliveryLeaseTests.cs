using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Support;
using PartnerBot.Tests.Billing;
using PartnerBot.Tests.Infrastructure;
using PartnerBot.Tests.Slack;
using PartnerBot.Tests.Storage;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace PartnerBot.Tests.Support;

public sealed class SqliteSupportDeliveryLeaseTests() : SupportDeliveryLeaseTests(StoreKind.Sqlite);

/// <summary>The same lease on the Cosmos DB adapter: ETag-conditional replaces against the protocol test server.</summary>
[RequiresNode]
public sealed class CosmosSupportDeliveryLeaseTests() : SupportDeliveryLeaseTests(StoreKind.Cosmos);

/// <summary>
/// A delivery is taken by one instance before it is sent, so instances sharing a store never send it twice; one that
/// stops mid-send leaves it to the others once its lease ends.
/// </summary>
public abstract class SupportDeliveryLeaseTests(StoreKind kind) : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync(kind);
    public async Task DisposeAsync() => await _store.DisposeAsync();

    /// <summary>The ticket store of one more instance over the same data.</summary>
    private TicketStore Instance() =>
        new(_store.Reopen(), Options.Create(new SupportOptions { SlackChannel = "C0SUPPORT", DeliveryLease = Lease }), _clock);

    private static NewTicket Request(string subject) => new("u-rita", "Rita", null, subject, "Publishing", "The publish button fails.",
        null, null, [], "directline", new JsonObject { ["conversationId"] = "x" });

    [StoreFact]
    public async Task A_taken_delivery_is_passed_by_elsewhere_until_its_lease_ends_and_then_taken_over()
    {
        var (first, second) = (Instance(), Instance());
        var ticket = await first.CreateAsync(Request("Cannot publish"), "req-1");
        var forward = Assert.Single(ticket.Pending);

        Assert.NotNull(await first.TakeDeliveryAsync(ticket, forward.Id));
        Assert.Null(await second.TakeDeliveryAsync(ticket, forward.Id));
        Assert.Empty(await second.ListWithDueDeliveriesAsync(50));

        _clock.Advance(Lease - TimeSpan.FromMilliseconds(1));
        Assert.Empty(await second.ListWithDueDeliveriesAsync(50));

        // The first instance stopped without a word: the delivery is due again, and the second one takes it.
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var due = Assert.Single(await second.ListWithDueDeliveriesAsync(50));
        var takenOver = await second.TakeDeliveryAsync(due, forward.Id);
        Assert.NotNull(takenOver);
        Assert.Equal(forward.Attempts, Assert.Single(takenOver.Pending).Attempts);

        await second.DeliveredAsync(takenOver, forward.Id, null, null);
        _clock.Advance(Lease);
        Assert.Null(await first.TakeDeliveryAsync(ticket, forward.Id));
        Assert.Equal(0, (await first.FindByIdAsync(ticket.Id))!.PendingCount);
    }

    [StoreFact]
    public async Task Of_ten_instances_taking_one_delivery_at_once_exactly_one_gets_it()
    {
        var ticket = await Instance().CreateAsync(Request("Race"), "req-2");
        var forward = Assert.Single(ticket.Pending);
        var instances = Enumerable.Range(0, 10).Select(_ => Instance()).ToList();

        var taken = await Task.WhenAll(instances.Select(i => Task.Run(() => i.TakeDeliveryAsync(ticket, forward.Id))));

        Assert.Single(taken, t => t is not null);
    }

    [StoreFact]
    public async Task A_failed_send_is_retried_after_its_back_off_not_after_the_lease()
    {
        var store = Instance();
        var ticket = await store.CreateAsync(Request("Flaky"), "req-3");
        var forward = Assert.Single(ticket.Pending);
        var taken = await store.TakeDeliveryAsync(ticket, forward.Id);

        await store.FailedAsync(taken!, forward.Id, "503 upstream unavailable");
        _clock.Advance(new SupportOptions().FirstRetryDelay);

        var due = Assert.Single(await Instance().ListWithDueDeliveriesAsync(50));
        Assert.Equal(1, Assert.Single(due.Pending).Attempts);
    }
}

/// <summary>Two bot instances on one database forward a ticket to the staff's Slack channel once, even while Slack is slow.</summary>
public sealed class SupportDeliveryTwoInstancesTests : IAsyncLifetime
{
    private SupportTestHost support = null!;

    public async Task InitializeAsync() => support = await SupportTestHost.StartAsync();

    public async Task DisposeAsync() => await support.DisposeAsync();

    [Fact]
    public async Task A_forward_is_posted_once_although_both_instances_poll_while_it_is_being_sent()
    {
        // Each post takes 800 ms, so the other instance polls (every 200 ms) several times while the forward is on its way.
        support.Slack.Server.Given(Request.Create().WithPath("/api/chat.postMessage").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromMilliseconds(800))
                .WithHeader("Content-Type", "application/json; charset=utf-8")
                .WithBody(new JsonObject
                {
                    ["ok"] = true, ["channel"] = SupportTestHost.SlackSupportChannel, ["ts"] = FakeSlackApi.PostedTs,
                    ["message"] = new JsonObject { ["text"] = "x" },
                }.ToJsonString()));
        await using var other = await support.StartAnotherInstanceAsync();
        var requester = await support.PersonAsync("directline", "r-9", "Rita", null, Roles.Partner);

        var ticket = await support.Tickets.CreateAsync(new NewTicket(requester.Id, "Rita", null, "Slow Slack", "Publishing",
            "The publish button fails.", null, null, [], "directline", new JsonObject { ["conversationId"] = "x" }), "req-9");

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await support.Tickets.FindByIdAsync(ticket.Id))!.PendingCount > 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(0, (await support.Tickets.FindByIdAsync(ticket.Id))!.PendingCount);
        await Task.Delay(1500); // a second send, had one started, would land by now

        Assert.Single(support.Slack.Calls("chat.postMessage"), c => SupportTestHost.Text(c).Contains("Slow Slack"));
        Assert.Single(support.ConnectorPosts("/amer/v3/conversations"), b => b.ToJsonString().Contains("Slow Slack"));
    }
}

/// <summary>The delivery lease is checked at start-up like the other support settings.</summary>
public sealed class SupportDeliveryLeaseSettingTests
{
    [Theory]
    [InlineData("00:00:00")]
    [InlineData("02:00:00")]
    public async Task A_lease_outside_one_second_to_one_hour_stops_start_up_naming_the_key(string value)
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => BotTestHost.StartAsync(
            new Dictionary<string, string?> { ["Support:Delivery:Lease"] = value }));
        Assert.Contains("Support:Delivery:Lease", e.Message);
    }
}
