using System.Text.Json.Nodes;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Support;
using PartnerBot.Tests.Infrastructure;
using PartnerBot.Tests.Slack;

namespace PartnerBot.Tests.Support;

/// <summary>
/// A ticket raised in Web Chat reaches the staff's Slack and Teams channels; staff claim from Slack and reply from Teams;
/// the reply, the partner's answer and the status changes travel back and forth.
/// </summary>
public sealed class SupportJourneyTests : IAsyncLifetime
{
    private const string SlackStaffUser = "W111";
    private const string TeamsStaffAad = "6b703ce3-6d14-4fe6-b90c-dc5f03657ae4";
    private SupportTestHost support = null!;

    public async Task InitializeAsync() => support = await SupportTestHost.StartAsync();

    public async Task DisposeAsync() => await support.DisposeAsync();

    [Fact]
    public async Task Web_chat_ticket_is_forwarded_to_slack_and_teams_claimed_answered_and_resolved()
    {
        await support.PersonAsync("slack", "T111:" + SlackStaffUser, "Prim", "owner@example.com", Roles.Support);
        await support.PersonAsync("msteams", TeamsStaffAad, "Dave Taniguchi", null, Roles.Support);

        // The partner fills in the support form in Web Chat.
        var chat = await DirectLineTestClient.StartAsync(support.Host.Client);
        await chat.SendTextAsync("support");
        var form = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Subject"));
        var submit = DirectLineTestClient.Actions(form).First(a => (string?)a["data"]?["verb"] == "form.submit")["data"]!.DeepClone().AsObject();
        submit["subject"] = "Deployment stuck";
        submit["category"] = "Deployment";
        submit["message"] = "My web-app deployment has been applying for an hour.";
        await chat.SubmitAsync(submit);
        await chat.WaitForTextAsync("Support request sent");

        var partner = await support.WebChatUserAsync(chat);
        var ticket = Assert.Single((await support.Tickets.ListForRequesterAsync(partner.Id, null, 10)).Items);
        Assert.Equal(TicketStatus.New, ticket.Status);
        Assert.Equal("Deployment", ticket.Category);

        // Forwarded to the Slack support channel with the staff actions ...
        var slackForward = Assert.Single(await support.WaitForSlackPostAsync(c =>
            (string?)c.Body?["channel"] == SupportTestHost.SlackSupportChannel && SupportTestHost.Text(c).Contains("Deployment stuck")));
        foreach (var verb in new[] { "support.claim", "support.reply", "support.resolve", "support.close" })
            Assert.Contains($"\"action_id\":\"{verb}\"", SupportTestHost.Text(slackForward));
        Assert.Contains(ticket.Id, SupportTestHost.Text(slackForward));
        Assert.StartsWith("Bearer " + SlackTestHost.BotToken, slackForward.Authorization);

        // ... and as a new thread in the Teams support channel.
        var teamsForward = Assert.Single(await support.WaitForConnectorPostAsync("/amer/v3/conversations",
            b => b.ToJsonString().Contains("Deployment stuck")));
        Assert.Equal(SupportTestHost.TeamsSupportChannel, (string?)teamsForward["channelData"]?["channel"]?["id"]);
        Assert.Contains("support.claim", teamsForward.ToJsonString());

        // Staff claim from Slack: the partner hears it is in progress.
        await support.SlackClickAsync("support.claim", ticket.Id, SlackStaffUser);
        await chat.WaitForTextAsync("In progress");
        Assert.Equal(TicketStatus.InProgress, (await support.Tickets.FindByIdAsync(ticket.Id))!.Status);

        // Staff reply from Teams: Reply opens a small form in the thread, its submit is relayed to the partner.
        var threadActivities = $"/amer/v3/conversations/{Uri.EscapeDataString(SupportTestHost.TeamsThread)}/activities";
        await support.TeamsSubmitAsync(new JsonObject { ["verb"] = "support.reply", ["ticketId"] = ticket.Id }, TeamsStaffAad);
        var replyForm = Assert.Single(await support.WaitForConnectorPostAsync(threadActivities, b => b.ToJsonString().Contains("support-reply")));
        Assert.Contains("form.submit", replyForm.ToJsonString());
        await support.TeamsSubmitAsync(new JsonObject
        {
            ["verb"] = "form.submit", ["formId"] = "support-reply:" + ticket.Id, ["step"] = 0, ["text"] = "Please retry; the runner was restarted.",
        }, TeamsStaffAad);
        var relayed = await chat.WaitForTextAsync("the runner was restarted");
        var answer = DirectLineTestClient.Actions(relayed).First(a => (string?)a["data"]?["verb"] == "support.answer");

        // The partner answers; the answer lands in both staff threads.
        await chat.SubmitAsync(answer["data"]!.DeepClone().AsObject());
        var answerForm = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Your answer"));
        var answerSubmit = DirectLineTestClient.Actions(answerForm).First(a => (string?)a["data"]?["verb"] == "form.submit")["data"]!.DeepClone().AsObject();
        answerSubmit["text"] = "Retried, still applying.";
        await chat.SubmitAsync(answerSubmit);
        await chat.WaitForTextAsync("sent to the support team");
        var slackAnswer = Assert.Single(await support.WaitForSlackPostAsync(c => SupportTestHost.Text(c).Contains("Retried, still applying")));
        Assert.Equal(FakeSlackApi.PostedTs, (string?)slackAnswer.Body!["thread_ts"]);
        await support.WaitForConnectorPostAsync(threadActivities, b => b.ToJsonString().Contains("Retried, still applying"));

        // Resolve from Slack notifies the partner.
        await support.SlackClickAsync("support.resolve", ticket.Id, SlackStaffUser);
        await chat.WaitForTextAsync("Resolved");

        // The partner has seen "Resolved"; the staff-side deliveries of the same change may still be on their way.
        var final = (await support.Tickets.FindByIdAsync(ticket.Id))!;
        for (var deadline = DateTime.UtcNow.AddSeconds(30); final.PendingCount > 0 && DateTime.UtcNow < deadline; )
        {
            await Task.Delay(100);
            final = (await support.Tickets.FindByIdAsync(ticket.Id))!;
        }
        Assert.Equal(TicketStatus.Resolved, final.Status);
        Assert.Equal(["My web-app deployment has been applying for an hour.", "Please retry; the runner was restarted.", "Retried, still applying."],
            final.Entries.Select(e => e.Text));
        Assert.Equal([false, true, false], final.Entries.Select(e => e.FromStaff));
        Assert.Equal(0, final.PendingCount);
    }

    [Fact]
    public async Task Support_member_sees_a_customers_deployments_only_while_holding_their_ticket_without_inputs_or_outputs_and_it_is_audited()
    {
        var staff = await support.PersonAsync("slack", "T111:" + SlackStaffUser, "Prim", "owner@example.com", Roles.Support);
        var customer = await support.PersonAsync("directline", "customer-1", "Casey", "casey@example.com", Roles.Partner);
        var deploymentId = await support.DeploymentAsync(customer.Id, "secret-project-4711", "https://internal.example/casey");
        var ticket = await support.Tickets.CreateAsync(new NewTicket(customer.Id, "Casey", null, "Slow app", "Deployment", "It is slow.",
            deploymentId, "web-app", [], "directline", new JsonObject { ["conversationId"] = "none" }), "request-1");

        // Not claimed yet: refused, and nothing is audited.
        await support.SlackClickAsync("support.deployments", ticket.Id, SlackStaffUser);
        await support.WaitForSlackPostAsync(c => SupportTestHost.Text(c).Contains("Claim"));
        Assert.Empty(await support.Audit.ListAsync(customer.Id));

        await support.SlackClickAsync("support.claim", ticket.Id, SlackStaffUser);
        await support.SlackClickAsync("support.deployments", ticket.Id, SlackStaffUser);
        var shown = Assert.Single(await support.WaitForSlackPostAsync(c => SupportTestHost.Text(c).Contains("Deployments of Casey")));
        Assert.Contains(deploymentId, SupportTestHost.Text(shown));
        Assert.DoesNotContain("secret-project-4711", SupportTestHost.Text(shown));
        Assert.DoesNotContain("internal.example", SupportTestHost.Text(shown));

        var audit = Assert.Single(await support.Audit.ListAsync(customer.Id));
        Assert.Equal(AuditLog.DeploymentsRead, audit.Action);
        Assert.Equal(staff.Id, audit.ActorId);
        Assert.Equal(ticket.Id, audit.TicketId);
        Assert.Equal([deploymentId], audit.ItemIds);
    }

    [Fact]
    public async Task Two_staff_reply_forms_open_in_one_teams_thread_each_land_on_their_own_ticket()
    {
        await support.PersonAsync("msteams", TeamsStaffAad, "Dave Taniguchi", null, Roles.Support);
        await support.PersonAsync("msteams", "aad-staff-2", "Erin", null, Roles.Support);
        var customer = await support.PersonAsync("directline", "c-9", "Cleo", null, Roles.Partner);
        NewTicket Request(string subject) => new(customer.Id, "Cleo", null, subject, "Other", "Help.", null, null, [], "directline",
            new JsonObject { ["conversationId"] = "gone" });
        var first = await support.Tickets.CreateAsync(Request("First"), "a-1");
        var second = await support.Tickets.CreateAsync(Request("Second"), "a-2");

        await support.TeamsSubmitAsync(new JsonObject { ["verb"] = "support.reply", ["ticketId"] = first.Id }, TeamsStaffAad);
        await support.TeamsSubmitAsync(new JsonObject { ["verb"] = "support.reply", ["ticketId"] = second.Id }, "aad-staff-2");
        await support.TeamsSubmitAsync(new JsonObject
        {
            ["verb"] = "form.submit", ["formId"] = "support-reply:" + first.Id, ["step"] = 0, ["text"] = "Answer to the first.",
        }, TeamsStaffAad);

        var firstAfter = (await support.Tickets.FindByIdAsync(first.Id))!;
        Assert.Equal("Answer to the first.", firstAfter.Entries[^1].Text);
        Assert.Equal("Dave Taniguchi", firstAfter.Entries[^1].AuthorName);
        Assert.Single((await support.Tickets.FindByIdAsync(second.Id))!.Entries);
    }
}
