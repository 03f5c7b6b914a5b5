using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Support;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Support;

/// <summary>Who may claim, read and answer tickets, in chat and through the REST API.</summary>
public sealed class SupportPermissionTests : IAsyncLifetime
{
    private SupportTestHost support = null!;

    public async Task InitializeAsync() => support = await SupportTestHost.StartAsync();

    public async Task DisposeAsync() => await support.DisposeAsync();

    private async Task<SupportTicket> TicketOfAsync(PlatformUser requester, string subject) =>
        await support.Tickets.CreateAsync(new NewTicket(requester.Id, requester.DisplayName, requester.Email, subject, "Billing",
            "Where did my credits go?", null, null, [], "directline", new JsonObject { ["conversationId"] = "elsewhere" }), Guid.NewGuid().ToString("N"));

    private async Task<HttpResponseMessage> GetAsync(string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Add("X-Api-Key", key);
        return await support.Host.Client.SendAsync(request);
    }

    private async Task<string> KeyAsync(PlatformUser user, bool admin = false) =>
        (await support.Host.Services.GetRequiredService<ApiKeyStore>().CreateAsync(user.Id, admin, "test", user.Email)).Key;

    [Fact]
    public async Task A_partner_cannot_claim_read_or_answer_someone_elses_ticket_in_chat()
    {
        var owner = await support.PersonAsync("directline", "owner-1", "Olga", "olga@example.com", Roles.Partner);
        var ticket = await TicketOfAsync(owner, "Invoice missing");
        var chat = await DirectLineTestClient.StartAsync(support.Host.Client);
        await chat.SendTextAsync("menu");
        await chat.WaitForCardAsync();

        foreach (var verb in new[] { "support.claim", "support.resolve", "support.close", "support.reply", "support.deployments" })
        {
            await chat.SubmitAsync(new JsonObject { ["verb"] = verb, ["ticketId"] = ticket.Id });
            await chat.WaitForTextAsync("Only the support team can do that");
        }
        await chat.SubmitAsync(new JsonObject { ["verb"] = "support.show", ["ticketId"] = ticket.Id });
        await chat.WaitForTextAsync("not yours");
        await chat.SubmitAsync(new JsonObject { ["verb"] = "support.answer", ["ticketId"] = ticket.Id });
        await chat.WaitForTextAsync("not yours");
        await chat.SendTextAsync("tickets");
        var list = await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Your support requests"));
        Assert.DoesNotContain("Invoice missing", DirectLineTestClient.AllText(list));

        var unchanged = (await support.Tickets.FindByIdAsync(ticket.Id))!;
        Assert.Equal(TicketStatus.New, unchanged.Status);
        Assert.Null(unchanged.AssigneeId);
        Assert.Single(unchanged.Entries);
        Assert.Empty(await support.Audit.ListAsync(owner.Id));
    }

    [Fact]
    public async Task Tickets_api_gives_partners_their_own_and_support_staff_everyones()
    {
        var olga = await support.PersonAsync("directline", "owner-1", "Olga", "olga@example.com", Roles.Partner);
        var pete = await support.PersonAsync("directline", "owner-2", "Pete", "pete@example.com", Roles.Partner);
        var staff = await support.PersonAsync("slack", "T111:W222", "Sam", "sam@example.com", Roles.Support);
        await TicketOfAsync(olga, "Olga's ticket");
        await TicketOfAsync(pete, "Pete's ticket");

        var own = (await (await GetAsync("/api/tickets", await KeyAsync(pete))).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("own", (string?)own["scope"]);
        Assert.Equal(["Pete's ticket"], own["items"]!.AsArray().Select(t => (string)t!["subject"]!));

        using var staffResponse = await GetAsync("/api/tickets", await KeyAsync(staff));
        Assert.Equal(HttpStatusCode.OK, staffResponse.StatusCode);
        var all = (await staffResponse.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("all", (string?)all["scope"]);
        Assert.Equal(["Olga's ticket", "Pete's ticket"], all["items"]!.AsArray().Select(t => (string)t!["subject"]!).Order());
        Assert.DoesNotContain("conversationAddress", all.ToJsonString());

        using var bad = await GetAsync("/api/tickets?status=Sleeping", await KeyAsync(staff));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Users_api_is_forbidden_to_non_admins_and_lists_identities_and_balances_for_admins()
    {
        var pete = await support.PersonAsync("directline", "owner-2", "Pete", "pete@example.com", Roles.Partner);
        await support.Users.ResolveAsync("slack", "T111:W333", "Pete", "pete@example.com", ["user"]);
        var admin = await support.PersonAsync("directline", "admin-1", "Ada", "ada@example.com", Roles.Admin);

        using var forbidden = await GetAsync("/api/users", await KeyAsync(pete));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);

        using var ok = await GetAsync("/api/users", await KeyAsync(admin));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var items = (await ok.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
        var listed = items.Single(u => (string?)u!["id"] == pete.Id)!;
        Assert.Equal("Pete", (string?)listed["displayName"]);
        Assert.Contains("partner", listed["roles"]!.AsArray().Select(r => (string?)r));
        Assert.Equal(["directline:owner-2", "slack:T111:W333"],
            listed["identities"]!.AsArray().Select(i => $"{i!["channel"]}:{i["id"]}").Order());
        var balances = listed["balances"]!;
        Assert.Equal(100m, balances["awarded"]!.GetValue<decimal>());
        Assert.Equal(balances["awarded"]!.GetValue<decimal>() + balances["subscription"]!.GetValue<decimal>() + balances["topUp"]!.GetValue<decimal>(),
            balances["total"]!.GetValue<decimal>());
    }
}
