using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Api.Storage;
using PartnerBot.Tests.Storage;

using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Deployments;

/// <summary>
/// The deployments feature over a real store (SQLite unless told otherwise), in a generic host (worker and outbox dispatcher running), with
/// the fake Terraform CLI first on the runner's PATH and the test module catalog loaded. Plans are applied without
/// approval unless <c>Deployments:RequirePlanApproval</c> is set; a destroy always waits for its plan to be applied.
/// </summary>
public sealed class DeploymentHarness : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly bool _ownsStore;

    private DeploymentHarness(IHost host, TestStore store, FakeTerraform fake, string workRoot, bool ownsStore)
    {
        _host = host;
        Store = store;
        Fake = fake;
        WorkRoot = workRoot;
        _ownsStore = ownsStore;
    }

    public static string TestCatalogFolder => Path.Combine(AppContext.BaseDirectory, "TestData", "Deployments", "catalog");

    public TestStore Store { get; }
    public FakeTerraform Fake { get; }
    public string WorkRoot { get; }
    public IServiceProvider Services => _host.Services;
    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public static async Task<DeploymentHarness> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        TestStore? sharedStore = null,
        FakeTerraform? sharedFake = null,
        string? sharedWorkRoot = null,
        StoreKind storeKind = StoreKind.Sqlite)
    {
        var store = sharedStore ?? await TestStore.CreateAsync(storeKind);
        var fake = sharedFake ?? new FakeTerraform();
        var workRoot = sharedWorkRoot ?? Path.Combine(Path.GetTempPath(), "partnerbot-tests", "work-" + Guid.NewGuid().ToString("N"));
        // The built-in state backend is served on loopback, so the real CLI keeps its state there (the fake ignores it).
        var backendUrl = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls(backendUrl);
        builder.Services.AddRoutingCore();
        var configuration = new Dictionary<string, string?>
        {
            ["Deployments:Backend:BaseUrl"] = backendUrl,
            ["Catalog:Path"] = TestCatalogFolder,
            ["Credits:SignupAward"] = "10",
            ["Deployments:Local:SearchPath"] = fake.SearchPath,
            ["Deployments:Local:Sandbox"] = "none", // the stand-in CLI writes its call log beside itself
            ["Deployments:Local:WorkRoot"] = workRoot,
            ["Deployments:PollInterval"] = "00:00:00.050",
            ["Deployments:LeaseDuration"] = "00:00:05",
            // Tests about other things apply right away; the plan approval tests turn it on.
            ["Deployments:RequirePlanApproval"] = "false",
            ["Deployments:Outbox:PollInterval"] = "00:00:00.050",
            ["Deployments:Outbox:FirstRetryDelay"] = "00:00:00.050",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddLogging();
        builder.Services.AddSingleton<IDocumentStore>(_ => store.Reopen());
        builder.Services.AddPartnerBotCredits(builder.Configuration);
        builder.Services.AddPartnerBotCatalog(builder.Configuration);
        builder.Services.AddPartnerBotDeployments(builder.Configuration);
        services?.Invoke(builder.Services);
        var host = builder.Build();
        host.UseRouting();
        host.MapTerraformStateEndpoints();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            // The host never started, so there is nothing to stop: release what this harness owns.
            await host.DisposeAsync();
            if (sharedStore is null) await store.DisposeAsync();
            if (sharedFake is null) fake.Dispose();
            throw;
        }
        if (configuration["Catalog:Path"] == TestCatalogFolder) await WaitForCatalogAsync(host.Services);
        return new DeploymentHarness(host, store, fake, workRoot, sharedStore is null);
    }

    /// <summary>
    /// The catalog loads at start-up, but a store that does not answer at once (the Cosmos test server on a loaded
    /// machine) makes the loader retry in the background: tests start once the test modules are there.
    /// </summary>
    private static async Task WaitForCatalogAsync(IServiceProvider services)
    {
        var catalog = services.GetRequiredService<IModuleCatalog>();
        for (var deadline = DateTime.UtcNow.AddSeconds(90); ; await Task.Delay(100))
        {
            try
            {
                if (await catalog.GetAsync("platform", "Tiny") is not null) return;
            }
            catch (StorageException) when (DateTime.UtcNow < deadline) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The test catalog was not loaded.");
        }
    }


    public static CatalogViewer Viewer(string userId, string? email = null, bool admin = false) => new(userId, email, admin);

    /// <summary>Waits until the deployment reaches a settled state (or <paramref name="until"/> holds).</summary>
    public async Task<DeploymentView> WaitAsync(string partnerId, string deploymentId, Func<DeploymentView, bool>? until = null,
        TimeSpan? timeout = null)
    {
        var service = Get<IDeploymentService>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var view = await service.GetAsync(new DeploymentCaller(partnerId, false), deploymentId);
            if (view is not null && (until?.Invoke(view) ?? view.State.IsSettled())) return view;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Deployment {deploymentId} is still {view?.State.ToString() ?? "missing"}.");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits for the plan of the current action, then applies it (as the partner would with Apply).</summary>
    public async Task<DeploymentView> ApprovePlanAsync(string partnerId, string deploymentId)
    {
        var ready = await WaitAsync(partnerId, deploymentId, v => v.State == DeploymentState.PlanReady || v.State.IsSettled());
        Assert.True(ready.State == DeploymentState.PlanReady, $"Expected a plan to approve, but the deployment is {ready.State}: {ready.Message}");
        var applied = await Get<IDeploymentService>().ApplyAsync(new DeploymentCaller(partnerId, false), deploymentId);
        Assert.IsType<DeploymentCommandResult.Done>(applied);
        return await WaitAsync(partnerId, deploymentId);
    }

    /// <summary>Deletes the deployment and applies its destroy plan.</summary>
    public async Task<DeploymentView> DestroyAsync(string partnerId, string deploymentId)
    {
        Assert.IsType<DeploymentCommandResult.Done>(await Get<IDeploymentService>().DeleteAsync(new DeploymentCaller(partnerId, false), deploymentId));
        return await ApprovePlanAsync(partnerId, deploymentId);
    }

    public async Task StopAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        try { await _host.StopAsync(); } catch (ObjectDisposedException) { }
        _host.Dispose();
        if (_ownsStore)
        {
            await Store.DisposeAsync();
            Fake.Dispose();
            try { Directory.Delete(WorkRoot, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
