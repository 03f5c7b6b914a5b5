using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Identity;
using PartnerBot.Tests.Slack;
using PartnerBot.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace PartnerBot.Tests.Admin;

/// <summary>
/// <c>Admins:Emails</c> applies only to emails the channel vouches for: Teams users of <c>MicrosoftAppTenantId</c> (over
/// the real <c>/api/messages</c> with a channel JWT), Slack members of the installed workspace (over signed Slack events).
/// </summary>
public sealed class AdminEmailBootstrapTests
{
    private const string ForeignTenant = "0e9b8a7c-1d2e-4f30-a1b2-c3d4e5f60718";
    private const string ListedEmail = "dave@example.com";

    [Fact]
    public async Task A_teams_user_of_a_foreign_tenant_with_a_listed_email_is_not_admin_nor_linked_to_the_listed_person()
    {
        await using var support = await TeamsHostAsync();
        const string foreignAad = "a1a1a1a1-0000-4000-8000-000000000001";
        Roster(support, foreignAad, ForeignTenant);

        await support.TeamsMessageAsync(foreignAad, null, "admin", ForeignTenant);
        await support.WaitForConnectorPostAsync($"/amer/v3/conversations/{SupportTestHost.TeamsThread}/activities",
            b => b.ToJsonString().Contains("only for admins"));

        var foreign = (await support.Users.FindByIdentityAsync("msteams", foreignAad))!;
        Assert.False(foreign.IsAdmin);
        Assert.Null(foreign.Email);
        Assert.Null(await support.Users.FindByEmailAsync(ListedEmail));
    }

    [Fact]
    public async Task A_teams_user_of_the_configured_tenant_with_a_listed_email_becomes_admin_and_a_foreign_namesake_still_does_not()
    {
        await using var support = await TeamsHostAsync();
        const string homeAad = "b2b2b2b2-0000-4000-8000-000000000002";
        const string foreignAad = "c3c3c3c3-0000-4000-8000-000000000003";
        Roster(support, homeAad, SupportTestHost.TeamsTenant, priority: 2);

        await support.TeamsMessageAsync(homeAad, null, "admin");
        await support.WaitForConnectorPostAsync($"/amer/v3/conversations/{SupportTestHost.TeamsThread}/activities",
            b => b.ToJsonString().Contains("Admin commands"));
        var dave = (await support.Users.FindByIdentityAsync("msteams", homeAad))!;
        Assert.True(dave.IsAdmin);
        Assert.Equal(dave.Id, (await support.Users.FindByEmailAsync(ListedEmail))!.Id);

        // Someone in another tenant whose directory says the same address gets neither the role nor Dave's account.
        Roster(support, foreignAad, ForeignTenant, priority: 1);
        await support.TeamsMessageAsync(foreignAad, null, "admin", ForeignTenant);
        await support.WaitForConnectorPostAsync($"/amer/v3/conversations/{SupportTestHost.TeamsThread}/activities",
            b => b.ToJsonString().Contains("only for admins"));
        var foreign = (await support.Users.FindByIdentityAsync("msteams", foreignAad))!;
        Assert.NotEqual(dave.Id, foreign.Id);
        Assert.False(foreign.IsAdmin);
    }

    [Fact]
    public async Task Without_MicrosoftAppTenantId_a_multi_tenant_bot_trusts_no_teams_email()
    {
        await using var support = await SupportTestHost.StartAsync(new Dictionary<string, string?> { ["Admins:Emails:0"] = ListedEmail });
        const string aad = "d4d4d4d4-0000-4000-8000-000000000004";
        Roster(support, aad, SupportTestHost.TeamsTenant);

        await support.TeamsMessageAsync(aad, null, "admin");
        await support.WaitForConnectorPostAsync($"/amer/v3/conversations/{SupportTestHost.TeamsThread}/activities",
            b => b.ToJsonString().Contains("only for admins"));
        Assert.False((await support.Users.FindByIdentityAsync("msteams", aad))!.IsAdmin);
    }

    [Theory]
    [InlineData(FakeSlackApi.InstalledTeam, true)]
    [InlineData("T0OTHERTEAM", false)]
    public async Task A_slack_user_with_a_listed_email_is_admin_only_as_a_member_of_the_installed_workspace(string homeTeam, bool admin)
    {
        using var slack = new FakeSlackApi();
        // users.info of a member of the installed workspace, or of a guest from another one in a shared channel.
        slack.Ok("users.info", new JsonObject
        {
            ["user"] = new JsonObject
            {
                ["id"] = "W333", ["team_id"] = homeTeam, ["name"] = "dave", ["real_name"] = "Dave", ["is_email_confirmed"] = true,
                ["profile"] = new JsonObject { ["display_name"] = "Dave", ["real_name"] = "Dave", ["email"] = "Dave@example.com" },
            },
        }, priority: 1);
        await using var host = await SlackTestHost.StartAsync(slack.ApiBaseUrl, SlackTestData.TempDatabase(), bot: null,
            settings: new Dictionary<string, string?> { ["Admins:Emails:0"] = ListedEmail });

        var mention = SlackTestData.Payload("slack-event-app-mention.json");
        mention["event_id"] = "Ev" + Guid.NewGuid().ToString("N")[..10];
        mention["event"]!["user"] = "W333";
        mention["event"]!["text"] = "<@W111> admin";
        using (var response = await host.PostJsonAsync(mention)) Assert.True(response.IsSuccessStatusCode);

        var expected = admin ? "Admin commands" : "only for admins";
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!slack.Calls("chat.postMessage").Concat(slack.Calls("chat.postEphemeral")).Any(c => c.Body?.ToJsonString().Contains(expected) == true))
        {
            Assert.True(DateTime.UtcNow < deadline, "No reply containing '" + expected + "'; got: "
                + string.Join("\n", slack.Calls("chat.postMessage").Select(c => c.Body?.ToJsonString())));
            await Task.Delay(50);
        }
        var users = host.Services.GetRequiredService<UserDirectory>();
        var user = (await users.FindByIdentityAsync("slack", "T111:W333"))!;
        Assert.Equal(admin, user.IsAdmin);
        Assert.Equal(admin ? "Dave@example.com" : null, user.Email);
    }

    private static Task<SupportTestHost> TeamsHostAsync() => SupportTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Admins:Emails:0"] = ListedEmail,
        ["MicrosoftAppTenantId"] = SupportTestHost.TeamsTenant,
    });

    /// <summary>The roster names <paramref name="aad"/> with the listed email, as a member of <paramref name="tenant"/>.</summary>
    private static void Roster(SupportTestHost support, string aad, string tenant, int priority = 1) =>
        support.Connector.Given(Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/amer/v3/conversations/*/members")).UsingGet())
            .AtPriority(priority)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(new JsonArray(
                new JsonObject
                {
                    ["id"] = "29:" + aad, ["name"] = "Dave", ["aadObjectId"] = aad, ["email"] = "Dave@example.com",
                    ["userPrincipalName"] = ListedEmail, ["tenantId"] = tenant,
                }).ToJsonString()));
}
