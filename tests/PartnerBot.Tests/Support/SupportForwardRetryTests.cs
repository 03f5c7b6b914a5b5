using System.Text.Json.Nodes;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace PartnerBot.Tests.Support;

/// <summary>A staff channel that fails for a while does not lose the forward: the ticket is stored first, the forward retried.</summary>
public sealed class SupportForwardRetryTests : IAsyncLifetime
{
    private SupportTestHost support = null!;

    public async Task InitializeAsync() => support = await SupportTestHost.StartAsync();

    public async Task DisposeAsync() => await support.DisposeAsync();

    [Fact]
    public async Task A_failing_slack_channel_gets_the_forward_once_it_answers_again()
    {
        var outage = Guid.NewGuid();
        support.Slack.Server.Given(Request.Create().WithPath("/api/chat.postMessage").UsingPost()).WithGuid(outage).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(503).WithBody("upstream unavailable"));
        var requester = await support.PersonAsync("directline", "r-1", "Rita", "rita@example.com", Roles.Partner);

        var ticket = await support.Tickets.CreateAsync(new NewTicket(requester.Id, "Rita", requester.Email, "Cannot publish", "Publishing",
            "The publish button fails.", null, null, [], "directline", new JsonObject { ["conversationId"] = "x" }), "req-1");

        // Stored at once; the Slack forward keeps failing and stays pending with its error, Teams gets it meanwhile.
        var failing = await WaitForAsync(ticket.Id, t => t.Pending.Any(p => p.Target == DeliveryTargets.StaffSlack && p.Attempts >= 2));
        var pending = Assert.Single(failing.Pending);
        Assert.Equal(DeliveryKinds.Forward, pending.Kind);
        Assert.False(pending.Dead);
        Assert.NotNull(pending.LastError);
        Assert.NotNull(failing.TeamsThread);

        support.Slack.Server.DeleteMapping(outage);

        var forwarded = await WaitForAsync(ticket.Id, t => t.PendingCount == 0);
        Assert.Equal(SupportTestHost.SlackSupportChannel, (string?)forwarded.SlackThread?["channel"]);
        await support.WaitForSlackPostAsync(c => SupportTestHost.Text(c).Contains("Cannot publish"));
    }

    [Fact]
    public async Task Creating_the_same_request_twice_stores_and_forwards_one_ticket()
    {
        var requester = await support.PersonAsync("directline", "r-2", "Rob", null, Roles.Partner);
        NewTicket Request() => new(requester.Id, "Rob", null, "Twice", "Other", "Same click delivered twice.", null, null, [], "directline",
            new JsonObject { ["conversationId"] = "y" });

        var first = await support.Tickets.CreateAsync(Request(), "activity-7");
        var second = await support.Tickets.CreateAsync(Request(), "activity-7");

        Assert.Equal(first.Id, second.Id);
        Assert.Single((await support.Tickets.ListForRequesterAsync(requester.Id, null, 10)).Items);
        await WaitForAsync(first.Id, t => t.PendingCount == 0);
        await Task.Delay(500);
        Assert.Single(support.Slack.Calls("chat.postMessage"), c => SupportTestHost.Text(c).Contains("Twice"));
    }

    [Fact]
    public async Task The_forward_mentions_the_technical_support_users_of_the_tickets_module()
    {
        var requester = await support.PersonAsync("directline", "r-3", "Tess", null, Roles.Partner);
        await support.Tickets.CreateAsync(new NewTicket(requester.Id, "Tess", null, "DB down", "Deployment", "The database is down.",
            "dep-1", "cloudsql", ["dba@partner.example", "oncall@partner.example"], "directline", new JsonObject { ["conversationId"] = "z" }), "req-3");

        var forward = Assert.Single(await support.WaitForSlackPostAsync(c => SupportTestHost.Text(c).Contains("DB down")));
        Assert.Contains("@dba@partner.example", SupportTestHost.Text(forward));
        Assert.Contains("@oncall@partner.example", SupportTestHost.Text(forward));
        await support.WaitForConnectorPostAsync("/amer/v3/conversations", b => b.ToJsonString().Contains("@dba@partner.example"));
    }

    private async Task<SupportTicket> WaitForAsync(string ticketId, Func<SupportTicket, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        SupportTicket? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await support.Tickets.FindByIdAsync(ticketId);
            if (last is not null && condition(last)) return last;
            await Task.Delay(50);
        }
        throw new TimeoutException("Ticket never reached the expected state: " + System.Text.Json.JsonSerializer.Serialize(last));
    }
}
