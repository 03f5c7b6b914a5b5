using System.Text.Json.Nodes;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;

namespace PartnerBot.Tests.Deployments;

/// <summary>Plan → approve → apply, with the credits reserved at confirm, charged at apply and refunded once otherwise.</summary>
public sealed class PlanApprovalTests : IAsyncLifetime
{
    private DeploymentHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await DeploymentHarness.StartAsync(new Dictionary<string, string?>
    {
        ["Deployments:RequirePlanApproval"] = "true",
    });

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private IDeploymentService Service => _harness.Get<IDeploymentService>();
    private ICreditLedger Ledger => _harness.Get<ICreditLedger>();

    private async Task<string> StartTinyAsync(string partner, string label = "hello")
    {
        var request = new StartDeploymentRequest(partner, DeploymentHarness.Viewer(partner), "Tiny", new JsonObject { ["label"] = label });
        return Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(request, "start-" + label)).Deployment.Id;
    }

    private Task<DeploymentView> PlanReadyAsync(string partner, string id) =>
        _harness.WaitAsync(partner, id, v => v.State == DeploymentState.PlanReady || v.State.IsSettled());

    private async Task<IReadOnlyList<CreditTransaction>> TransactionsAsync(string partner) =>
        (await Ledger.ListTransactionsAsync(partner, null, 200)).Items;

    [Fact]
    public async Task A_deployment_waits_with_its_plan_and_applies_exactly_the_saved_plan_when_approved()
    {
        var id = await StartTinyAsync("p-plan");
        var ready = await PlanReadyAsync("p-plan", id);

        Assert.Equal(DeploymentState.PlanReady, ready.State);
        Assert.Equal("1 to add, 0 to change, 0 to destroy", ready.Plan!.Summary);
        Assert.Equal(["terraform_data.thing"], ready.Plan.Creates);
        Assert.Null(ready.ChargedAt);
        Assert.Equal(9, (await Ledger.GetBalanceAsync("p-plan")).Total); // reserved
        Assert.NotNull(ready.Version);

        Assert.IsType<DeploymentCommandResult.Done>(await Service.ApplyAsync(new DeploymentCaller("p-plan", false), id));
        var done = await _harness.WaitAsync("p-plan", id);

        Assert.Equal(DeploymentState.Success, done.State);
        Assert.NotNull(done.ChargedAt);
        Assert.Null(done.Refunded);
        Assert.Equal(["terraform_data.thing"], done.Resources);
        Assert.Equal([DeploymentState.Queued, DeploymentState.Pending, DeploymentState.Planning, DeploymentState.PlanReady,
            DeploymentState.Queued, DeploymentState.Pending, DeploymentState.Working, DeploymentState.Success], done.History.Select(h => h.State));
        // One plan, and the apply used its saved file (the fake applies the values kept in the plan).
        Assert.Single(_harness.Fake.Calls, c => c == "plan " + id);
        Assert.Equal(9, (await Ledger.GetBalanceAsync("p-plan")).Total);
        Assert.DoesNotContain(await TransactionsAsync("p-plan"), t => t.Kind == CreditTransactionKind.Refund);
    }

    [Fact]
    public async Task Discarding_a_plan_refunds_the_cost_exactly_once_even_when_discard_is_clicked_twice()
    {
        var id = await StartTinyAsync("p-discard");
        await PlanReadyAsync("p-discard", id);
        var caller = new DeploymentCaller("p-discard", false);

        var first = Service.DiscardAsync(caller, id);
        var second = Service.DiscardAsync(caller, id);
        var results = await Task.WhenAll(first, second);

        Assert.Single(results, r => r is DeploymentCommandResult.Done);
        Assert.Single(results, r => r is DeploymentCommandResult.NotAllowed);
        Assert.IsType<DeploymentCommandResult.NotAllowed>(await Service.DiscardAsync(caller, id));
        var view = (await Service.GetAsync(caller, id))!;
        Assert.Equal(DeploymentState.Discarded, view.State);
        Assert.Equal(1, view.Refunded);
        Assert.Contains("1 credit refunded.", view.Message);
        Assert.Equal(10, (await Ledger.GetBalanceAsync("p-discard")).Total);
        Assert.Single(await TransactionsAsync("p-discard"), t => t.Reference == "refund:deployment:" + id);
        Assert.IsType<DeploymentCommandResult.NotAllowed>(await Service.ApplyAsync(caller, id));
        Assert.DoesNotContain(_harness.Fake.Calls, c => c.StartsWith("apply", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plan_failure_refunds_the_reservation()
    {
        _harness.Fake.FailPlan();
        var id = await StartTinyAsync("p-planfail");
        var done = await _harness.WaitAsync("p-planfail", id);

        Assert.Equal(DeploymentState.Failure, done.State);
        Assert.Contains("the thing is not valid", done.Message);
        Assert.Contains("1 credit refunded.", done.Message);
        await WaitForBalanceAsync("p-planfail", 10);
        Assert.Single(await TransactionsAsync("p-planfail"), t => t.Reference == "refund:deployment:" + id);
        Assert.IsType<DeploymentCommandResult.NotAllowed>(await Service.RetryAsync(new DeploymentCaller("p-planfail", false), id));
    }

    [Fact]
    public async Task A_failed_apply_keeps_the_charge_and_retry_plans_again_with_the_same_inputs()
    {
        var id = await StartTinyAsync("p-applyfail", "keepme");
        await PlanReadyAsync("p-applyfail", id);
        _harness.Fake.FailApply();
        var failed = await _harness.ApprovePlanAsync("p-applyfail", id);

        Assert.Equal(DeploymentState.Failure, failed.State);
        Assert.Contains("quota exceeded", failed.Message);
        Assert.Contains("stays charged", failed.Message);
        Assert.Equal(9, (await Ledger.GetBalanceAsync("p-applyfail")).Total);

        _harness.Fake.FailApply(false);
        Assert.IsType<DeploymentCommandResult.Done>(await Service.RetryAsync(new DeploymentCaller("p-applyfail", false), id));
        var done = await _harness.ApprovePlanAsync("p-applyfail", id);

        Assert.Equal(DeploymentState.Success, done.State);
        Assert.Equal("keepme", done.Inputs["label"]!.GetValue<string>());
        Assert.Equal(9, (await Ledger.GetBalanceAsync("p-applyfail")).Total);
        Assert.Single(await TransactionsAsync("p-applyfail"), t => t.Kind == CreditTransactionKind.Debit);
    }

    [Fact]
    public async Task Cancelling_a_waiting_plan_refunds_it()
    {
        var id = await StartTinyAsync("p-cancelplan");
        await PlanReadyAsync("p-cancelplan", id);

        Assert.IsType<DeploymentCommandResult.Done>(await Service.CancelAsync(new DeploymentCaller("p-cancelplan", false), id));

        Assert.Equal(10, (await Ledger.GetBalanceAsync("p-cancelplan")).Total);
    }

    [Fact]
    public async Task A_prerequisite_that_is_discarded_fails_the_waiting_deployment_and_refunds_it()
    {
        var tiny = await StartTinyAsync("p-prereq");
        await PlanReadyAsync("p-prereq", tiny);
        var request = new StartDeploymentRequest("p-prereq", DeploymentHarness.Viewer("p-prereq"), "NeedsTiny", []);
        var dependent = Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(request, "dependent")).Deployment;
        Assert.Equal(DeploymentState.Waiting, dependent.State);
        var reserved = (await Ledger.GetBalanceAsync("p-prereq")).Total;

        Assert.IsType<DeploymentCommandResult.Done>(await Service.DiscardAsync(new DeploymentCaller("p-prereq", false), tiny));
        var failed = await _harness.WaitAsync("p-prereq", dependent.Id);

        Assert.Equal(DeploymentState.Failure, failed.State);
        await WaitForBalanceAsync("p-prereq", 10);
        Assert.True(reserved < 10);
    }

    [Fact]
    public async Task An_update_and_a_destroy_show_their_plans_and_use_the_kept_version_after_the_module_left_the_catalog()
    {
        var id = await StartTinyAsync("p-gone");
        await _harness.ApprovePlanAsync("p-gone", id);
        var catalog = _harness.Get<IModuleCatalog>();
        Assert.True(await catalog.RemoveAsync(ModuleCatalog.PlatformOwner, "Tiny"));
        var caller = new DeploymentCaller("p-gone", false);

        Assert.IsType<DeploymentCommandResult.Done>(await Service.UpdateAsync(caller, id, new JsonObject { ["size"] = 4 }));
        var updatePlan = await PlanReadyAsync("p-gone", id);
        Assert.Equal("0 to add, 1 to change, 0 to destroy", updatePlan.Plan!.Summary);
        Assert.False(updatePlan.Inputs.ContainsKey("size")); // applied inputs change only once the update is applied
        Assert.True(updatePlan.UpdatePending);
        var updated = await _harness.ApprovePlanAsync("p-gone", id);
        Assert.Equal(DeploymentState.Success, updated.State);
        Assert.Equal(4, updated.Inputs["size"]!.GetValue<int>());

        Assert.IsType<DeploymentCommandResult.Done>(await Service.DeleteAsync(caller, id));
        var destroyPlan = await PlanReadyAsync("p-gone", id);
        Assert.Equal("0 to add, 0 to change, 1 to destroy", destroyPlan.Plan!.Summary);
        Assert.Contains(id, destroyPlan.Message);
        var deleted = await _harness.ApprovePlanAsync("p-gone", id);
        Assert.Equal(DeploymentState.Deleted, deleted.State);
        Assert.Empty(deleted.Resources);
    }

    [Fact]
    public async Task A_discarded_update_plan_leaves_the_deployment_as_it_was()
    {
        var id = await StartTinyAsync("p-keep");
        await _harness.ApprovePlanAsync("p-keep", id);
        var caller = new DeploymentCaller("p-keep", false);

        Assert.IsType<DeploymentCommandResult.Done>(await Service.UpdateAsync(caller, id, new JsonObject { ["size"] = 7 }));
        await PlanReadyAsync("p-keep", id);
        Assert.IsType<DeploymentCommandResult.Done>(await Service.DiscardAsync(caller, id));

        var view = (await Service.GetAsync(caller, id))!;
        Assert.Equal(DeploymentState.Success, view.State);
        Assert.False(view.Inputs.ContainsKey("size"));
        Assert.False(view.UpdatePending);
        Assert.Equal(9, (await Ledger.GetBalanceAsync("p-keep")).Total);
    }

    [Fact]
    public async Task A_newer_catalog_version_is_offered_with_its_changes_and_an_upgrade_moves_to_it()
    {
        var id = await StartTinyAsync("p-upgrade");
        var applied = await _harness.ApprovePlanAsync("p-upgrade", id);
        var caller = new DeploymentCaller("p-upgrade", false);
        Assert.Null(await Service.GetUpgradeAsync(caller, id));

        var catalog = _harness.Get<IModuleCatalog>();
        var tiny = (await catalog.GetAsync(ModuleCatalog.PlatformOwner, "Tiny"))!;
        var files = new Dictionary<string, string>(tiny.Files) { ["templates/motd.txt"] = "hello\n" };
        files["main.tf"] += "\n# a comment in the new version\n";
        await catalog.SaveAsync(ModuleCatalog.PlatformOwner, tiny.Model, files, tiny.Source, revision: "0123456789abcdef0123456789abcdef01234567");

        var upgrade = await Service.GetUpgradeAsync(caller, id);
        Assert.NotNull(upgrade);
        Assert.Equal(["templates/motd.txt"], upgrade.AddedFiles);
        Assert.Equal(["main.tf"], upgrade.ChangedFiles);
        Assert.Equal("0123456789ab", upgrade.ToRevision);

        Assert.IsType<DeploymentCommandResult.Done>(await Service.UpdateAsync(caller, id, [], upgrade: true));
        var done = await _harness.ApprovePlanAsync("p-upgrade", id);
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", done.Version!.Revision);
        Assert.NotEqual(applied.Version!.ContentHash, done.Version.ContentHash);
        Assert.Null(await Service.GetUpgradeAsync(caller, id));
        Assert.True(File.Exists(Path.Combine(_harness.WorkRoot, "p-upgrade", id, "templates", "motd.txt")) || !Directory.Exists(Path.Combine(_harness.WorkRoot, "p-upgrade", id)));
    }

    [Fact]
    public async Task Equal_module_versions_are_stored_once()
    {
        var a = await StartTinyAsync("p-same", "first");
        var b = await StartTinyAsync("p-same", "second");
        var caller = new DeploymentCaller("p-same", false);
        var first = (await Service.GetAsync(caller, a))!.Version!;
        var second = (await Service.GetAsync(caller, b))!.Version!;

        Assert.Equal(first.ContentHash, second.ContentHash);
        Assert.Equal(first.ContentHash, first.Revision); // a folder module's version is its content hash
        var stored = await _harness.Store.Store.QueryAsync(PartnerBot.Api.Deployments.Versions.ModuleVersions.Container, first.ContentHash,
            new PartnerBot.Api.Storage.DocumentQuery());
        Assert.Single(stored.Items);
    }

    private async Task WaitForBalanceAsync(string partner, decimal expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await Ledger.GetBalanceAsync(partner)).Total != expected && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(expected, (await Ledger.GetBalanceAsync(partner)).Total);
    }
}

/// <summary>A plan older than <c>Deployments:PlanTtl</c> is refused with "plan again".</summary>
public sealed class PlanExpiryTests
{
    [Fact]
    public async Task An_old_plan_is_refused_and_the_first_deployment_is_refunded()
    {
        await using var harness = await DeploymentHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Deployments:RequirePlanApproval"] = "true",
            ["Deployments:PlanTtl"] = "00:00:01",
            // The sweep would expire it first; this test is about the refusal at Apply.
            ["Deployments:PollInterval"] = "00:00:30",
        });
        var service = harness.Get<IDeploymentService>();
        var request = new StartDeploymentRequest("p-old", DeploymentHarness.Viewer("p-old"), "Tiny", new JsonObject { ["label"] = "old" });
        var id = Assert.IsType<StartDeploymentResult.Started>(await service.StartAsync(request, "k")).Deployment.Id;
        await harness.Get<DeploymentWorker>().MaintainAsync(CancellationToken.None);
        var ready = await harness.WaitAsync("p-old", id, v => v.State == DeploymentState.PlanReady || v.State.IsSettled());
        Assert.Equal(DeploymentState.PlanReady, ready.State);
        while (DateTimeOffset.UtcNow - ready.Plan!.CreatedAt <= TimeSpan.FromSeconds(1.5)) await Task.Delay(100);

        var refused = Assert.IsType<DeploymentCommandResult.NotAllowed>(await service.ApplyAsync(new DeploymentCaller("p-old", false), id));

        Assert.Contains("Plan again.", refused.Reason);
        var view = (await service.GetAsync(new DeploymentCaller("p-old", false), id))!;
        Assert.Equal(DeploymentState.Expired, view.State);
        Assert.Equal(10, (await harness.Get<ICreditLedger>().GetBalanceAsync("p-old")).Total);
        Assert.DoesNotContain(harness.Fake.Calls, c => c.StartsWith("apply", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_approval_off_the_plan_summary_is_posted_before_the_apply_runs()
    {
        await using var harness = await DeploymentHarness.StartAsync(new Dictionary<string, string?> { ["Deployments:RequirePlanApproval"] = "false" });
        var service = harness.Get<IDeploymentService>();
        var request = new StartDeploymentRequest("p-auto", DeploymentHarness.Viewer("p-auto"), "Tiny", new JsonObject { ["label"] = "auto" });
        var id = Assert.IsType<StartDeploymentResult.Started>(await service.StartAsync(request, "k-auto")).Deployment.Id;

        var done = await harness.WaitAsync("p-auto", id);

        Assert.Equal(DeploymentState.Success, done.State);
        var applying = Assert.Single(done.History, h => h.Message?.StartsWith("Applying the plan:", StringComparison.Ordinal) == true);
        Assert.Contains("1 to add, 0 to change, 0 to destroy", applying.Message);
        Assert.Equal(DeploymentState.Working, applying.State);
        Assert.True(applying.Sequence < done.History.Single(h => h.State == DeploymentState.Success).Sequence);
        Assert.DoesNotContain(done.History, h => h.State == DeploymentState.PlanReady);
    }

    [Fact]
    public async Task A_plan_made_stale_by_a_newer_state_version_is_refused_and_refunded()
    {
        await using var harness = await DeploymentHarness.StartAsync(new Dictionary<string, string?> { ["Deployments:RequirePlanApproval"] = "true" });
        var service = harness.Get<IDeploymentService>();
        var request = new StartDeploymentRequest("p-stale", DeploymentHarness.Viewer("p-stale"), "Tiny", new JsonObject { ["label"] = "stale" });
        var id = Assert.IsType<StartDeploymentResult.Started>(await service.StartAsync(request, "k-stale")).Deployment.Id;
        var ready = await harness.WaitAsync("p-stale", id, v => v.State == DeploymentState.PlanReady || v.State.IsSettled());
        Assert.NotNull(ready.Plan);
        // Another run (or an operator) wrote a newer state after the plan was made.
        var state = """{"version":4,"terraform_version":"1.11.0","serial":7,"lineage":"elsewhere","outputs":{},"resources":[]}"""u8.ToArray();
        var (summary, problem) = PartnerBot.Api.Deployments.State.TerraformStateSummary.Read(state);
        Assert.Null(problem);
        await harness.Get<PartnerBot.Api.Deployments.State.TerraformStateStore>().WriteAsync(id, state, summary!, null);

        var refused = Assert.IsType<DeploymentCommandResult.NotAllowed>(await service.ApplyAsync(new DeploymentCaller("p-stale", false), id));

        Assert.Contains("Plan again.", refused.Reason);
        Assert.Contains("state changed", refused.Reason);
        var view = (await service.GetAsync(new DeploymentCaller("p-stale", false), id))!;
        Assert.Equal(DeploymentState.Expired, view.State);
        Assert.Equal(10, (await harness.Get<ICreditLedger>().GetBalanceAsync("p-stale")).Total);
        Assert.DoesNotContain(harness.Fake.Calls, c => c == "apply " + id);
    }
}
