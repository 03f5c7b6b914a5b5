using System.Globalization;
using System.Text.Json.Nodes;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Publishing;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.Admin;

/// <summary>One admin command per turn (see <see cref="AdminRoutes"/>).</summary>
public sealed class AdminDialog(
    UserDirectory users,
    ICreditLedger ledger,
    IDeploymentService deployments,
    PlatformCatalogLoader catalogLoader,
    ModulePublisher publisher,
    ChatIdentityEmails emails,
    ILogger<AdminDialog> log) : Dialog(DialogId)
{
    public const string DialogId = "admin";
    private const int PageSize = 10;

    /// <summary><c>admin WORDS</c>.</summary>
    public Task<DialogTurnResult> CommandAsync(ChatRouteContext route, CancellationToken ct) => RunAsync(route, route.Arguments, ct);

    /// <summary>The Users list, and its Next page button (data: <c>continuationToken</c>).</summary>
    public Task<DialogTurnResult> UsersPageAsync(ChatRouteContext route, CancellationToken ct) => RunAsync(route, "users", ct);

    /// <summary>The Deployments list, and its Next page button (data: <c>continuationToken</c>).</summary>
    public Task<DialogTurnResult> DeploymentsPageAsync(ChatRouteContext route, CancellationToken ct) => RunAsync(route, "deployments", ct);

    private async Task<DialogTurnResult> RunAsync(ChatRouteContext route, string arguments, CancellationToken ct)
    {
        var dc = route.Dialog;
        // A first admin listed in Admins:Emails becomes one as soon as the channel tells us their email.
        var admin = await emails.EnsureEmailAsync(dc.Turn, ct);
        if (!Permissions.CanAdminister(Actor.Of(admin)))
        {
            await dc.Turn.SendTextAsync("Admin commands are only for admins. Ask an admin if you need something changed.", ct);
            return await dc.EndDialogAsync(ct);
        }
        var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var command = words.FirstOrDefault()?.ToLowerInvariant() ?? "";
        var data = route.Data;
        var continuation = (string?)data["continuationToken"];
        switch (command)
        {
            case "grant" or "revoke" when words.Length == 3:
                await ChangeRoleAsync(dc, words[1], words[2].ToLowerInvariant(), command == "grant", ct);
                break;
            case "award" when words.Length >= 3:
                await AwardAsync(dc, words[1], words[2], string.Join(' ', words.Skip(3)), ct);
                break;
            case "users":
                await ListUsersAsync(dc, continuation, ct);
                break;
            case "deployments":
                await ListDeploymentsAsync(dc, continuation, ct);
                break;
            case "sync":
                await SyncAsync(dc, ct);
                break;
            default:
                await dc.Turn.SendAsync(Usage(command.Length == 0 ? null : $"I don't know \"admin {UiMarkdown.Escape(string.Join(' ', words), 80)}\"."), ct);
                break;
        }
        return await dc.EndDialogAsync(ct);
    }

    private async Task ChangeRoleAsync(DialogContext dc, string who, string role, bool grant, CancellationToken ct)
    {
        var target = await FindAsync(dc, who, ct);
        if (target is null) return;
        if (Permissions.CheckRoleChange(Actor.Of(dc.Turn.User), target.Id, role, grant) is { } refusal)
        {
            await dc.Turn.SendTextAsync(refusal, ct);
            return;
        }
        var updated = grant ? await users.GrantRoleAsync(target.Id, role, ct) : await users.RevokeRoleAsync(target.Id, role, ct);
        log.LogInformation("Admin {AdminId} {Change} role {Role} for {UserId}", dc.Turn.User.Id, grant ? "granted" : "revoked", role, target.Id);
        await dc.Turn.SendTextAsync($"{(grant ? "Granted" : "Revoked")} *{role}* {(grant ? "to" : "from")} **{UiMarkdown.Escape(updated.DisplayName, 100)}** ({updated.Id}). Roles now: {string.Join(", ", updated.Roles)}.", ct);
    }

    private async Task AwardAsync(DialogContext dc, string who, string rawAmount, string reason, CancellationToken ct)
    {
        if (!decimal.TryParse(rawAmount, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) || amount <= 0 || amount > 1_000_000)
        {
            await dc.Turn.SendTextAsync($"\"{UiMarkdown.Escape(rawAmount, 30)}\" is not an amount: use a positive number of credits, e.g. **admin award ana@example.com 50 onboarding**.", ct);
            return;
        }
        var target = await FindAsync(dc, who, ct);
        if (target is null) return;
        // One award per command message: a redelivered message credits once.
        var reference = $"admin-award:{dc.Turn.Input.ConversationKey}:{dc.Turn.Input.ActivityId}";
        var result = await ledger.CreditAsync(target.Id, CreditBucket.Awarded, amount, CreditTransactionKind.Award, reference, dc.Turn.User.Id, ct);
        var balance = await ledger.GetBalanceAsync(target.Id, ct);
        log.LogInformation("Admin {AdminId} awarded {Amount} credits to {UserId}", dc.Turn.User.Id, amount, target.Id);
        await dc.Turn.SendTextAsync(result is CreditResult.AlreadyApplied
            ? "That award was already made."
            : $"Awarded **{amount.ToString(CultureInfo.InvariantCulture)}** credits to **{UiMarkdown.Escape(target.DisplayName, 100)}**"
              + (reason.Length > 0 ? $" ({UiMarkdown.Escape(reason, 200)})" : "") + $". Balance now {balance.Total.ToString(CultureInfo.InvariantCulture)}.", ct);
    }

    private async Task ListUsersAsync(DialogContext dc, string? continuation, CancellationToken ct)
    {
        var (page, next) = await users.ListAsync(PageSize, continuation, ct);
        var body = new List<UiElement> { new UiHeading("Users") };
        foreach (var u in page)
        {
            var b = await ledger.GetBalanceAsync(u.Id, ct);
            body.Add(new UiFactSet([
                new("User", $"{u.DisplayName} ({u.Id})"),
                new("Email", u.Email ?? "unknown"),
                new("Roles", string.Join(", ", u.Roles)),
                new("Chat", string.Join(", ", u.Identities.Select(i => i.Channel))),
                new("Credits", $"{b.Total.ToString(CultureInfo.InvariantCulture)} (awarded {b.Awarded.ToString(CultureInfo.InvariantCulture)}, subscription {b.Subscription.ToString(CultureInfo.InvariantCulture)}, top-up {b.TopUp.ToString(CultureInfo.InvariantCulture)})"),
            ]));
        }
        var actions = next is null ? new List<UiAction>() : [new UiAction("Next page", AdminRoutes.UsersPage, new JsonObject { ["continuationToken"] = next })];
        await dc.Turn.SendAsync(new UiMessage($"{page.Count} users", body, actions), ct);
    }

    private async Task ListDeploymentsAsync(DialogContext dc, string? continuation, CancellationToken ct)
    {
        var list = await deployments.ListAsync(new DeploymentCaller(dc.Turn.User.Id, true), true, null, continuation, PageSize, ct);
        var body = new List<UiElement> { new UiHeading("All deployments") };
        if (list.Items.Count == 0) body.Add(new UiText("No deployments yet.", UiTextTone.Subtle));
        foreach (var d in list.Items)
            body.Add(new UiFactSet([new("Deployment", d.Id), new("Partner", d.PartnerId), new("Module", d.ModuleName), new("State", d.State.ToString())]));
        var actions = list.ContinuationToken is null ? new List<UiAction>()
            : [new UiAction("Next page", AdminRoutes.DeploymentsPage, new JsonObject { ["continuationToken"] = list.ContinuationToken })];
        await dc.Turn.SendAsync(new UiMessage($"{list.Items.Count} deployments", body, actions), ct);
    }

    /// <summary>The platform repository when one is configured (GitHub), otherwise the platform catalog folder.</summary>
    private async Task SyncAsync(DialogContext dc, CancellationToken ct)
    {
        SyncResult? synced;
        try
        {
            synced = await publisher.SyncPlatformAsync(ct);
        }
        catch (GitHubFailure e)
        {
            await dc.Turn.SendTextAsync($"The platform sync failed; the catalog is unchanged. {UiMarkdown.Escape(e.Message, 300)}", ct);
            return;
        }
        if (synced is not null)
        {
            log.LogInformation("Admin {AdminId} synced the platform repository {Repository}", dc.Turn.User.Id, synced.Repository);
            await dc.Turn.SendTextAsync(synced.Unchanged
                ? $"Platform modules are up to date with {UiMarkdown.Escape(synced.Repository.ToString(), 200)}."
                : $"Platform modules synced from {UiMarkdown.Escape(synced.Repository.ToString(), 200)}"
                  + (synced.Removed.Count > 0 ? $"; removed: {UiMarkdown.Escape(string.Join(", ", synced.Removed), 500)}." : "."), ct);
            return;
        }

        var folder = catalogLoader.FolderPath;
        if (folder is null || !Directory.Exists(folder))
        {
            await dc.Turn.SendTextAsync("No platform repository is configured and the platform catalog folder (Catalog:Path) does not exist on this server, so there is nothing to sync.", ct);
            return;
        }
        var count = await catalogLoader.LoadAsync(folder, ct);
        log.LogInformation("Admin {AdminId} reloaded the platform catalog: {Count} modules", dc.Turn.User.Id, count);
        await dc.Turn.SendTextAsync($"Platform catalog synced: {count} modules.", ct);
    }

    private async Task<PlatformUser?> FindAsync(DialogContext dc, string who, CancellationToken ct)
    {
        var user = await users.FindByIdOrEmailAsync(who, ct);
        if (user is null) await dc.Turn.SendTextAsync($"No user \"{UiMarkdown.Escape(who, 100)}\": give a user id (u_...) or an email. **admin users** lists them.", ct);
        return user;
    }

    private static UiMessage Usage(string? problem) => new("Admin commands",
        [
            new UiHeading("Admin commands"),
            .. problem is null ? Array.Empty<UiElement>() : [new UiText(problem, UiTextTone.Warning)],
            new UiText("- **admin grant USER ROLE** / **admin revoke USER ROLE** (roles: " + string.Join(", ", Roles.All) + ")\n"
                + "- **admin award USER AMOUNT [reason]**\n- **admin users**\n- **admin deployments**\n- **admin sync**\n\nUSER is a user id or an email."),
        ],
        [new UiAction("Users", AdminRoutes.UsersPage), new UiAction("Deployments", AdminRoutes.DeploymentsPage)]);
}
