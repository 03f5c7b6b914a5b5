using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Deployments.State;

/// <summary>
/// Two real hosts over one SQLite file, one after the other, with the real Terraform CLI: what host A applied, host B
/// destroys from the state kept in the store, after A and its disk are gone.
/// </summary>
public sealed class StateAcrossHostsTests : IAsyncLifetime
{
    private readonly string _shared = Directory.CreateTempSubdirectory("partnerbot-two-hosts-").FullName;
    private string DatabasePath => Path.Combine(_shared, "partnerbot.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_shared, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }

    private Task<BotTestHost> StartHostAsync(string name, string? catalog = null)
    {
        var data = Path.Combine(_shared, name);
        Directory.CreateDirectory(data);
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Sqlite:Path"] = DatabasePath,
            ["Deployments:Runner"] = "Local",
            ["Deployments:Local:WorkRoot"] = Path.Combine(data, "work"),
            ["Deployments:RequirePlanApproval"] = "false",
        };
        if (catalog is not null) settings["Catalog:Path"] = catalog;
        return BotTestHost.StartAsync(settings, dataDirectory: data);
    }

    private static async Task<DeploymentView> WaitAsync(BotTestHost host, string partner, string id, Func<DeploymentView, bool> until)
    {
        var service = host.Services.GetRequiredService<IDeploymentService>();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (true)
        {
            var view = await service.GetAsync(new DeploymentCaller(partner, false), id);
            if (view is not null && until(view)) return view;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Deployment {id} is still {view?.State}: {view?.Message}");
            await Task.Delay(200);
        }
    }

    private static async Task<List<string>> AllLogLinesAsync(BotTestHost host, string partner, string id)
    {
        var service = host.Services.GetRequiredService<IDeploymentService>();
        var lines = new List<string>();
        string? token = null;
        do
        {
            var page = await service.GetLogsAsync(new DeploymentCaller(partner, false), id, token, 100);
            Assert.NotNull(page);
            lines.AddRange(page.Lines);
            token = page.ContinuationToken;
        } while (token is not null);
        return lines;
    }

    [TerraformFact]
    public async Task A_deployment_applied_by_one_host_is_destroyed_by_another_after_the_first_and_its_disk_are_gone()
    {
        const string partner = "partner-two-hosts";
        string id;
        await using (var hostA = await StartHostAsync("host-a"))
        {
            var started = await hostA.Services.GetRequiredService<IDeploymentService>().StartAsync(
                new StartDeploymentRequest(partner, new CatalogViewer(partner, null, false), "Network",
                    new JsonObject { ["project_id"] = "acme-two-hosts", ["subnet_count"] = 2 }), "two-hosts-1");
            id = Assert.IsType<StartDeploymentResult.Started>(started).Deployment.Id;
            var applied = await WaitAsync(hostA, partner, id, v => v.State.IsSettled());
            Assert.True(applied.State == DeploymentState.Success, $"{applied.State}: {applied.Message} | {string.Join(" / ", applied.LogTail)}");

            var state = await hostA.Services.GetRequiredService<TerraformStateStore>().ReadAsync(id);
            Assert.NotNull(state);
            Assert.True(state.Version.Instances > 0, "the applied state is in the store");
            Assert.False(Directory.Exists(Path.Combine(_shared, "host-a", "work", partner, id)), "the work folder is removed after the run");
        }
        // Host A's disk is replaced: nothing of it is left.
        Directory.Delete(Path.Combine(_shared, "host-a"), recursive: true);

        // Host B has another catalog without the module: the destroy uses the version kept with the deployment.
        var emptyCatalog = Directory.CreateDirectory(Path.Combine(_shared, "empty-catalog")).FullName;
        await using var hostB = await StartHostAsync("host-b", emptyCatalog);
        var service = hostB.Services.GetRequiredService<IDeploymentService>();
        Assert.IsType<DeploymentCommandResult.Done>(await service.DeleteAsync(new DeploymentCaller(partner, false), id));
        var planned = await WaitAsync(hostB, partner, id, v => v.State == DeploymentState.PlanReady || v.State.IsSettled());
        Assert.True(planned.State == DeploymentState.PlanReady, $"{planned.State}: {planned.Message} | {string.Join(" / ", planned.LogTail)}");
        Assert.IsType<DeploymentCommandResult.Done>(await service.ApplyAsync(new DeploymentCaller(partner, false), id));
        var destroyed = await WaitAsync(hostB, partner, id, v => v.State.IsSettled());
        Assert.True(destroyed.State == DeploymentState.Deleted, $"{destroyed.State}: {destroyed.Message} | {string.Join(" / ", destroyed.LogTail)}");

        var log = await AllLogLinesAsync(hostB, partner, id);
        var complete = log.Last(l => l.Contains("Apply complete!") && l.Contains("destroyed"));
        var count = int.Parse(System.Text.RegularExpressions.Regex.Match(complete, @"(\d+) destroyed").Groups[1].Value);
        Assert.True(count > 0, complete);
        var after = await hostB.Services.GetRequiredService<TerraformStateStore>().ReadAsync(id);
        Assert.True(after is null || after.Version.Instances == 0, "the state is empty after the destroy");
        Assert.False(Directory.Exists(Path.Combine(_shared, "host-b", "work", partner, id)), "the work folder is removed after the run");
    }
}
