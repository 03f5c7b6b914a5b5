using PartnerBot.Api.Credits;
using PartnerBot.Api.Identity;
using PartnerBot.Tests.Infrastructure;
using PartnerBot.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace PartnerBot.Tests.Admin;

/// <summary>Admin commands in Web Chat: refused to everyone but admins; grant, revoke, award, users, deployments, sync.</summary>
public sealed class AdminChatTests : IAsyncLifetime
{
    private SupportTestHost support = null!;

    public async Task InitializeAsync() =>
        support = await SupportTestHost.StartAsync(new Dictionary<string, string?> { ["Admins:Emails:0"] = "dana@example.com" });

    public async Task DisposeAsync() => await support.DisposeAsync();

    [Fact]
    public async Task Admin_commands_are_refused_to_non_admins_and_change_nothing()
    {
        var pete = await support.PersonAsync("directline", "pete", "Pete", "pete@example.com", Roles.Partner);
        var chat = await DirectLineTestClient.StartAsync(support.Host.Client);
        foreach (var command in new[] { "admin users", $"admin grant {pete.Id} admin", "admin award pete@example.com 500", "admin deployments", "admin sync" })
        {
            await chat.SendTextAsync(command);
            await chat.WaitForTextAsync("only for admins");
        }
        var after = (await support.Users.FindAsync(pete.Id))!;
        Assert.DoesNotContain(Roles.Admin, after.Roles);
        Assert.Equal(100m, (await support.Host.Services.GetRequiredService<ICreditLedger>().GetBalanceAsync(pete.Id)).Total);
    }

    [Fact]
    public async Task An_admin_grants_revokes_awards_and_lists_users_and_deployments()
    {
        var pete = await support.PersonAsync("directline", "pete", "Pete", "pete@example.com", Roles.Partner);
        var deploymentId = await support.DeploymentAsync(pete.Id, "p-1", "out-1");
        var chat = await DirectLineTestClient.StartAsync(support.Host.Client);
        await chat.SendTextAsync("menu");
        await chat.WaitForCardAsync();
        await support.Users.GrantRoleAsync((await support.WebChatUserAsync(chat)).Id, Roles.Admin);

        await chat.SendTextAsync("admin grant PETE@example.com support");
        await chat.WaitForTextAsync("Granted");
        Assert.Contains(Roles.Support, (await support.Users.FindAsync(pete.Id))!.Roles);

        await chat.SendTextAsync($"admin revoke {pete.Id} support");
        await chat.WaitForTextAsync("Revoked");
        Assert.DoesNotContain(Roles.Support, (await support.Users.FindAsync(pete.Id))!.Roles);

        await chat.SendTextAsync("admin grant pete@example.com wizard");
        await chat.WaitForTextAsync("is not a role");

        await chat.SendTextAsync("admin award pete@example.com 25 onboarding call");
        await chat.WaitForTextAsync("Balance now 125");
        var ledger = support.Host.Services.GetRequiredService<ICreditLedger>();
        var award = Assert.Single((await ledger.ListTransactionsAsync(pete.Id, null)).Items, t => t.Kind == CreditTransactionKind.Award);
        Assert.StartsWith("admin-award:", award.Reference);

        await chat.SendTextAsync("admin award pete@example.com lots");
        await chat.WaitForTextAsync("is not an amount");
        await chat.SendTextAsync("admin award nobody@example.com 5");
        await chat.WaitForTextAsync("No user");

        await chat.SendTextAsync("admin users");
        var users = DirectLineTestClient.AllText(await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Users")));
        Assert.Contains("pete@example.com", users);
        Assert.Contains("125", users);

        await chat.SendTextAsync("admin deployments");
        var deployments = DirectLineTestClient.AllText(await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("All deployments")));
        Assert.Contains(deploymentId, deployments);

        await chat.SendTextAsync("admin sync");
        // No platform repository is configured here, so sync reloads the platform catalog folder.
        var folder = support.Host.Services.GetRequiredService<PartnerBot.Api.Catalog.PlatformCatalogLoader>().FolderPath;
        await chat.WaitForTextAsync(Directory.Exists(folder) ? "Platform catalog synced" : "catalog folder does not exist");
    }

    [Fact]
    public async Task An_existing_users_email_learned_later_makes_them_admin_when_listed_in_Admins_Emails()
    {
        var user = await support.Users.ResolveAsync("msteams", "aad-1", "Dana", null, ["user", "partner"]);
        Assert.False(user.IsAdmin);

        var again = await support.Users.ResolveAsync("msteams", "aad-1", "Dana", "Dana@Example.com", ["user", "partner"]);

        Assert.True(again.IsAdmin);
        Assert.Equal(user.Id, (await support.Users.FindByEmailAsync("dana@example.com"))!.Id);
    }
}
