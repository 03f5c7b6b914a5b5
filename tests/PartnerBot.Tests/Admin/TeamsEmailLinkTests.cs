using System.Text.Json.Nodes;
using PartnerBot.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace PartnerBot.Tests.Admin;

/// <summary>A Teams user's email comes from the conversation roster and makes a listed first admin an admin.</summary>
public sealed class TeamsEmailLinkTests : IAsyncLifetime
{
    private const string Aad = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    private SupportTestHost support = null!;

    public async Task InitializeAsync() =>
        support = await SupportTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Admins:Emails:0"] = "dave@example.com",
            ["MicrosoftAppTenantId"] = SupportTestHost.TeamsTenant,
        });

    public async Task DisposeAsync() => await support.DisposeAsync();

    [Fact]
    public async Task Roster_email_links_the_user_and_applies_Admins_Emails_to_an_existing_user()
    {
        support.Connector.Given(Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/amer/v3/conversations/*/members")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(new JsonArray(
                new JsonObject { ["id"] = "29:other", ["name"] = "Other", ["aadObjectId"] = "someone-else", ["email"] = "other@example.com" },
                new JsonObject
                {
                    ["id"] = "29:dave", ["name"] = "Dave", ["aadObjectId"] = Aad, ["email"] = "Dave@example.com",
                    ["userPrincipalName"] = "dave@example.com", ["tenantId"] = SupportTestHost.TeamsTenant,
                }).ToJsonString()));
        var existing = await support.Users.ResolveAsync("msteams", Aad, "Dave", null, ["user", "partner"]);
        Assert.False(existing.IsAdmin);

        await support.TeamsMessageAsync(Aad, null, "admin");

        await support.WaitForConnectorPostAsync($"/amer/v3/conversations/{SupportTestHost.TeamsThread}/activities",
            b => b.ToJsonString().Contains("Admin commands"));
        var after = (await support.Users.FindAsync(existing.Id))!;
        Assert.True(after.IsAdmin);
        Assert.Equal("Dave@example.com", after.Email);
        Assert.Equal(existing.Id, (await support.Users.FindByEmailAsync("dave@example.com"))!.Id);
    }
}
