using System.Text.Json.Nodes;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;

namespace PartnerBot.Tests.Deployments;

public sealed class DeploymentServiceTests : IAsyncLifetime
{
    private DeploymentHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await DeploymentHarness.StartAsync();
    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private IDeploymentService Service => _harness.Get<IDeploymentService>();
    private ICreditLedger Ledger => _harness.Get<ICreditLedger>();

    private static StartDeploymentRequest Tiny(string partner, string label = "hello", JsonObject? extra = null)
    {
        var inputs = new JsonObject { ["label"] = label };
        foreach (var (k, v) in extra ?? []) inputs[k] = v?.DeepClone();
        return new StartDeploymentRequest(partner, DeploymentHarness.Viewer(partner), "Tiny", inputs,
            Conversation: new JsonObject { ["conversationId"] = "conv-1" });
    }

    [Fact]
    public async Task A_started_deployment_runs_to_success_with_outputs_and_is_charged_once()
    {
        var started = Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(Tiny("p-ok"), "click-1"));
        var done = await _harness.WaitAsync("p-ok", started.Deployment.Id);

        Assert.Equal(DeploymentState.Success, done.State);
        Assert.Equal("yes", done.Outputs["applied"]!.GetValue<string>());
        Assert.Equal(DeploymentView.Redacted, done.Outputs["inputs"]!.GetValue<string>());
        Assert.Equal([DeploymentState.Queued, DeploymentState.Pending, DeploymentState.Planning, DeploymentState.Working, DeploymentState.Success],
            done.History.Select(h => h.State));
        Assert.Equal(9, (await Ledger.GetBalanceAsync("p-ok")).Total);
        Assert.Contains(done.LogTail, l => l.Contains("Apply complete!"));
    }

    [Fact]
    public async Task Invalid_inputs_start_nothing_and_charge_nothing()
    {
        var result = await Service.StartAsync(Tiny("p-bad", label: "NOT valid!", extra: new JsonObject { ["size"] = 99, ["colour"] = "red" }), "k");

        var invalid = Assert.IsType<StartDeploymentResult.InvalidInputs>(result);
        Assert.Contains(invalid.Errors, e => e.Input == "colour");
        Assert.Equal(10, (await Ledger.GetBalanceAsync("p-bad")).Total);
        Assert.Empty((await Service.ListAsync(new DeploymentCaller("p-bad", false), false, null, null)).Items);
    }

    [Fact]
    public async Task A_validation_block_failure_reports_the_modules_message()
    {
        var result = await Service.StartAsync(Tiny("p-val", label: "NO"), null);

        var invalid = Assert.IsType<StartDeploymentResult.InvalidInputs>(result);
        Assert.Contains(invalid.Errors, e => e.Input == "label" && e.Message == "The label must be 3-20 lowercase letters or digits.");
    }

    [Fact]
    public async Task A_missing_required_input_is_reported_by_name()
    {
        var request = new StartDeploymentRequest("p-req", DeploymentHarness.Viewer("p-req"), "Tiny", []);
        var invalid = Assert.IsType<StartDeploymentResult.InvalidInputs>(await Service.StartAsync(request, null));
        Assert.Contains(invalid.Errors, e => e.Input == "label" && e.Message.Contains("required"));
    }

    [Fact]
    public async Task A_missing_dependency_starts_nothing()
    {
        var request = new StartDeploymentRequest("p-dep", DeploymentHarness.Viewer("p-dep"), "NeedsTiny", []);
        var result = await Service.StartAsync(request, "k");

        var missing = Assert.IsType<StartDeploymentResult.DependencyMissing>(result);
        Assert.Equal(["Tiny"], missing.Missing);
        Assert.Equal(10, (await Ledger.GetBalanceAsync("p-dep")).Total);
    }

    [Fact]
    public async Task A_dependency_that_succeeded_lets_the_dependent_module_deploy()
    {
        var tiny = Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(Tiny("p-chain"), "a"));
        await _harness.WaitAsync("p-chain", tiny.Deployment.Id);

        var request = new StartDeploymentRequest("p-chain", DeploymentHarness.Viewer("p-chain"), "NeedsTiny", []);
        var dependent = Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(request, "b"));

        Assert.Equal(DeploymentState.Success, (await _harness.WaitAsync("p-chain", dependent.Deployment.Id)).State);
    }

    [Fact]
    public async Task Insufficient_credits_start_nothing()
    {
        await Ledger.DebitAsync("p-poor", 10, SpendPolicy.AnyBucket, "admin:drain", "admin");
        var result = await Service.StartAsync(Tiny("p-poor"), "k");

        var insufficient = Assert.IsType<StartDeploymentResult.InsufficientCredits>(result);
        Assert.Equal(1, insufficient.Cost);
        Assert.Equal(0, insufficient.Balance);
        Assert.Empty((await Service.ListAsync(new DeploymentCaller("p-poor", false), false, null, null)).Items);
    }

    [Fact]
    public async Task A_module_requiring_purchases_is_refused_with_only_awarded_credits()
    {
        var request = new StartDeploymentRequest("p-premium", DeploymentHarness.Viewer("p-premium"), "Premium", []);
        var result = Assert.IsType<StartDeploymentResult.InsufficientCredits>(await Service.StartAsync(request, "k"));
        Assert.True(result.PurchasedCreditsRequired);

        await Ledger.CreditAsync("p-premium", CreditBucket.TopUp, 5, CreditTransactionKind.TopUp, "stripe:pi_9", "stripe");
        Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(request, "k2"));
        Assert.Equal(new CreditBalances(10, 0, 0), await Ledger.GetBalanceAsync("p-premium"));
    }

    [Fact]
    public async Task A_module_not_shared_with_the_partner_is_not_found()
    {
        var request = new StartDeploymentRequest("p-stranger", DeploymentHarness.Viewer("p-stranger", "someone@example.com"), "Private", []);
        Assert.IsType<StartDeploymentResult.ModuleNotFound>(await Service.StartAsync(request, null));

        var friend = new StartDeploymentRequest("p-friend", DeploymentHarness.Viewer("p-friend", "friend@example.com"), "Private", []);
        Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(friend, null));
    }

    [Fact]
    public async Task A_partner_deploying_its_own_module_pays_nothing()
    {
        var catalog = _harness.Get<PartnerBot.Api.Catalog.IModuleCatalog>();
        var tiny = await catalog.GetAsync(PartnerBot.Api.Catalog.ModuleCatalog.PlatformOwner, "Tiny");
        await catalog.SaveAsync("p-own", tiny!.Model with { Name = "MyTiny" }, tiny.Files, "github:p-own/modules");

        var request = new StartDeploymentRequest("p-own", DeploymentHarness.Viewer("p-own"), "MyTiny", new JsonObject { ["label"] = "mine" });
        var started = Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(request, "k"));

        Assert.Equal(0, started.Deployment.Cost);
        Assert.Equal("p-own", started.Deployment.ModuleOwner);
        Assert.Equal(DeploymentState.Success, (await _harness.WaitAsync("p-own", started.Deployment.Id)).State);
        Assert.Equal(10, (await Ledger.GetBalanceAsync("p-own")).Total);
    }

    [Fact]
    public async Task Sensitive_inputs_are_encrypted_at_rest_and_never_shown()
    {
        var started = Assert.IsType<StartDeploymentResult.Started>(
            await Service.StartAsync(Tiny("p-secret", extra: new JsonObject { ["password"] = "hunter2-very-secret" }), "k"));
        var done = await _harness.WaitAsync("p-secret", started.Deployment.Id);

        Assert.Equal(DeploymentState.Success, done.State);
        Assert.False(done.Inputs.ContainsKey("password"));
        Assert.Equal(["password"], done.SensitiveInputs);
        var raw = await _harness.Store.Store.ReadAsync(DeploymentRepository.Container, "p-secret", done.Id);
        Assert.DoesNotContain("hunter2-very-secret", raw!.Body.ToJsonString());
        Assert.DoesNotContain(done.LogTail, l => l.Contains("hunter2-very-secret"));
    }

    [Fact]
    public async Task A_failing_apply_ends_in_failure_with_the_cli_error()
    {
        _harness.Fake.FailApply();
        var started = Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(Tiny("p-fail"), "k"));
        var done = await _harness.WaitAsync("p-fail", started.Deployment.Id);

        Assert.Equal(DeploymentState.Failure, done.State);
        Assert.Contains("quota exceeded", done.Message);
    }

    [Fact]
    public async Task Update_changes_only_updatesafe_inputs_and_reapplies()
    {
        var started = Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(Tiny("p-upd"), "k"));
        await _harness.WaitAsync("p-upd", started.Deployment.Id);
        var caller = new DeploymentCaller("p-upd", false);

        var refused = await Service.UpdateAsync(caller, started.Deployment.Id, new JsonObject { ["label"] = "other" });
        Assert.IsType<DeploymentCommandResult.InvalidInputs>(refused);

        var accepted = await Service.UpdateAsync(caller, started.Deployment.Id, new JsonObject { ["size"] = 5 });
        Assert.IsType<DeploymentCommandResult.Done>(accepted);
        var done = await _harness.WaitAsync("p-upd", started.Deployment.Id, v => v.State == DeploymentState.Success && v.Builds.Count == 2);
        Assert.Equal(5, done.Inputs["size"]!.GetValue<int>());
        Assert.Equal(9, (await Ledger.GetBalanceAsync("p-upd")).Total);
    }

    [Fact]
    public async Task Delete_destroys_through_the_runner_and_purge_forgets_without_destroying()
    {
        var a = Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(Tiny("p-del", "first"), "a"));
        var b = Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(Tiny("p-del", "second"), "b"));
        await _harness.WaitAsync("p-del", a.Deployment.Id);
        await _harness.WaitAsync("p-del", b.Deployment.Id);
        var caller = new DeploymentCaller("p-del", false);

        var deleted = await _harness.DestroyAsync("p-del", a.Deployment.Id);
        Assert.Equal(DeploymentState.Deleted, deleted.State);
        Assert.Contains(_harness.Fake.Calls, c => c == "plan " + a.Deployment.Id);
        Assert.Contains(deleted.History, h => h.State == DeploymentState.PlanReady && h.Message!.Contains("0 to add, 0 to change, 1 to destroy"));

        Assert.IsType<DeploymentCommandResult.Done>(await Service.PurgeAsync(caller, b.Deployment.Id));
        Assert.Equal(DeploymentState.Deleted, (await Service.GetAsync(caller, b.Deployment.Id))!.State);
        Assert.Single(_harness.Fake.Calls, c => c == "plan " + b.Deployment.Id); // the plan of its apply; no destroy plan
    }

    [Fact]
    public async Task Another_partners_deployment_is_invisible()
    {
        var started = Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(Tiny("p-owner"), "k"));

        Assert.Null(await Service.GetAsync(new DeploymentCaller("p-other", false), started.Deployment.Id));
        Assert.IsType<DeploymentCommandResult.NotFound>(await Service.CancelAsync(new DeploymentCaller("p-other", false), started.Deployment.Id));
        Assert.NotNull(await Service.GetAsync(new DeploymentCaller("an-admin", true), started.Deployment.Id));
    }

    [Fact]
    public async Task A_deployment_whose_prerequisite_is_still_running_waits_then_runs()
    {
        _harness.Fake.Slow();
        var tiny = Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(Tiny("p-wait"), "first"));
        await _harness.WaitAsync("p-wait", tiny.Deployment.Id, v => v.State == DeploymentState.Working);

        var request = new StartDeploymentRequest("p-wait", DeploymentHarness.Viewer("p-wait"), "NeedsTiny", []);
        var dependent = Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(request, "second"));
        Assert.Equal(DeploymentState.Waiting, dependent.Deployment.State);

        _harness.Fake.Slow(false);
        var done = await _harness.WaitAsync("p-wait", dependent.Deployment.Id, v => v.State is DeploymentState.Success or DeploymentState.Failure);
        Assert.Equal(DeploymentState.Success, done.State);
        Assert.Equal([DeploymentState.Waiting, DeploymentState.Queued, DeploymentState.Pending, DeploymentState.Planning, DeploymentState.Working, DeploymentState.Success],
            done.History.Select(h => h.State));
    }

    [Fact]
    public async Task Cancelling_a_running_deployment_stops_the_cli()
    {
        _harness.Fake.Slow();
        var started = Assert.IsType<StartDeploymentResult.Started>(await Service.StartAsync(Tiny("p-cancel"), "k"));
        await _harness.WaitAsync("p-cancel", started.Deployment.Id, v => v.State == DeploymentState.Working);

        Assert.IsType<DeploymentCommandResult.Done>(await Service.CancelAsync(new DeploymentCaller("p-cancel", false), started.Deployment.Id));
        var done = await _harness.WaitAsync("p-cancel", started.Deployment.Id, timeout: TimeSpan.FromSeconds(20));

        Assert.Equal(DeploymentState.Cancelled, done.State);
    }
}
