using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Identity;
using PartnerBot.Bot.Hosting;
using PartnerBot.Tests.Deployments;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Api;

/// <summary>
/// The real host (<see cref="BotHost.Build"/>) on 127.0.0.1 with a free port, a temporary SQLite file (or a fresh
/// store of the kind given), the test module catalog and the fake Terraform CLI first on the runner's PATH.
/// </summary>
public sealed class ApiHost : IAsyncLifetime
{
    public const string CallbackSecret = "runner-callback-master-secret";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "api-" + Guid.NewGuid().ToString("N"));
    private readonly StoreKind _storeKind;
    private TestStore? _store;
    private WebApplication _app = null!;

    public ApiHost() : this(StoreKind.Sqlite)
    {
    }

    /// <summary>A host over a fresh store of <paramref name="storeKind"/> (not public: a class fixture has one public constructor).</summary>
    internal ApiHost(StoreKind storeKind) => _storeKind = storeKind;

    public FakeTerraform Fake { get; } = new();
    public string DatabasePath => Path.Combine(_folder, "partnerbot.db");
    public Uri BaseAddress { get; private set; } = null!;
    public IServiceProvider Services => _app.Services;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        IReadOnlyDictionary<string, string?> storage = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:Sqlite:Path"] = DatabasePath,
        };
        if (_storeKind != StoreKind.Sqlite)
        {
            _store = await TestStore.CreateAsync(_storeKind);
            storage = _store.Configuration;
        }
        _app = BotHost.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(storage);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Catalog:Path"] = DeploymentHarness.TestCatalogFolder,
                ["Credits:SignupAward"] = "10",
                ["Deployments:Local:SearchPath"] = Fake.SearchPath,
                ["Deployments:Local:Sandbox"] = "none", // the stand-in CLI writes its call log beside itself
                ["Deployments:Local:WorkRoot"] = Path.Combine(_folder, "work"),
                ["Deployments:PollInterval"] = "00:00:00.050",
                ["Deployments:MaxParallel"] = "4",
                ["Deployments:GitHubActions:CallbackSecret"] = CallbackSecret,
                ["Deployments:Outbox:PollInterval"] = "00:00:00.100",
            });
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_store is not null) await _store.DisposeAsync();
        Fake.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A client holding a fresh API key for <paramref name="userId"/>.</summary>
    public async Task<HttpClient> ClientForAsync(string userId, bool admin = false, string? email = null)
    {
        var key = await _app.Services.GetRequiredService<ApiKeyStore>().CreateAsync(userId, admin, "test", email);
        var client = Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", key.Key);
        return client;
    }

    /// <summary>Waits for the deployment's plan, applies it with <c>POST /api/deployments/{id}/apply</c>, and waits for the end.</summary>
    public static async Task<JsonObject> ApplyPlanAsync(HttpClient client, string id, string finalState = "Success")
    {
        var ready = await WaitForStateAsync(client, id, "PlanReady", "Failure", "InternalError");
        if (ready["state"]!.GetValue<string>() != "PlanReady") throw new InvalidOperationException($"No plan for {id}: {ready["message"]}");
        var applied = await client.PostAsync($"/api/deployments/{id}/apply", null);
        if (applied.StatusCode != System.Net.HttpStatusCode.Accepted)
            throw new InvalidOperationException($"Apply of {id} answered {applied.StatusCode}: {await applied.Content.ReadAsStringAsync()}");
        return await WaitForStateAsync(client, id, finalState, "Failure", "InternalError");
    }

    /// <summary>Polls <c>GET /api/deployments/{id}</c> until the state is one of <paramref name="states"/>.</summary>
    public static async Task<JsonObject> WaitForStateAsync(HttpClient client, string id, params string[] states)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var deployment = (await client.GetFromJsonAsync<JsonObject>($"/api/deployments/{id}"))!;
            if (states.Contains(deployment["state"]!.GetValue<string>())) return deployment;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Deployment {id} is still {deployment["state"]}.");
            await Task.Delay(50);
        }
    }
}
