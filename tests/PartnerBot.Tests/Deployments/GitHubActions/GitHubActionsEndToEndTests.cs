using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Modules;
using PartnerBot.Bot.Hosting;
using PartnerBot.Tests.Api;

namespace PartnerBot.Tests.Deployments.GitHubActions;

/// <summary>
/// The GitHubActions runner end to end: the real host on 127.0.0.1, GitHub's dispatch API on WireMock.Net, and the
/// workflow's script run here with the dispatched inputs and the real Terraform CLI, against a module in a local git
/// repository at its pinned commit, with the state in the bot's http backend.
/// </summary>
public sealed class GitHubActionsEndToEndTests : IAsyncLifetime
{
    private const string CallbackSecret = "actions-callback-master-secret-0123";
    private const string Password = "hunter2-very-secret";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "gha-" + Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private ActionsEmulator _actions = null!;
    private Uri _baseAddress = null!;
    private string _commit = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _commit = CreateModuleRepository(Path.Combine(_folder, "git", "acme", "platform-modules.git"));
        for (var attempt = 0; ; attempt++)
        {
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                _baseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
            }
            _actions?.Dispose();
            _actions = new ActionsEmulator(_baseAddress.ToString().TrimEnd('/'), CallbackSecret);
            _app = BotHost.Build(["--urls", _baseAddress.ToString().TrimEnd('/'), "--environment", "Development"], builder =>
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["PublicBaseUrl"] = _baseAddress.ToString().TrimEnd('/'),
                    ["Storage:Provider"] = "Sqlite",
                    ["Storage:Sqlite:Path"] = Path.Combine(_folder, "partnerbot.db"),
                    ["Catalog:Path"] = DeploymentHarness.TestCatalogFolder,
                    ["Deployments:Local:WorkRoot"] = Path.Combine(_folder, "work"),
                    ["Deployments:PollInterval"] = "00:00:00.050",
                    ["Deployments:Runner"] = "GitHubActions",
                    ["Deployments:GitHubActions:Repository"] = ActionsEmulator.Repository,
                    ["Deployments:GitHubActions:Workflow"] = ActionsEmulator.Workflow,
                    ["Deployments:GitHubActions:CallbackSecret"] = CallbackSecret,
                    ["Deployments:GitHubActions:PollInterval"] = "00:00:00.200",
                    ["Deployments:GitHubActions:RunLookupTimeout"] = "00:00:30",
                    ["Deployments:GitHubActions:GitBaseUrl"] = new Uri(Path.Combine(_folder, "git") + "/").AbsoluteUri,
                    ["GitHub:ApiBaseUrl"] = _actions.ApiBaseUrl,
                    ["GitHub:PlatformToken"] = "ghp_platform_token_for_tests",
                }));
            try
            {
                await _app.StartAsync();
                break;
            }
            catch (IOException) when (attempt < 5)
            {
                await _app.DisposeAsync();
            }
        }
        var files = Directory.EnumerateFiles(Path.Combine(DeploymentHarness.TestCatalogFolder, "Tiny"))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        var model = ModuleLoader.LoadFiles("Relay", files).Module!;
        await _app.Services.GetRequiredService<IModuleCatalog>()
            .SaveAsync(ModuleCatalog.PlatformOwner, model, files, "github:acme/platform-modules", revision: _commit);
    }

    /// <summary>A bare repository holding the Tiny test module as <c>modules/Relay</c>; returns the commit.</summary>
    private static string CreateModuleRepository(string bare)
    {
        var work = bare + "-work";
        Directory.CreateDirectory(Path.Combine(work, "modules", "Relay"));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(DeploymentHarness.TestCatalogFolder, "Tiny")))
            File.Copy(file, Path.Combine(work, "modules", "Relay", Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(work, "README.md"), "Platform modules\n");
        Git(work, "init", "-q", "-b", "main");
        Git(work, "add", "-A");
        Git(work, "-c", "user.name=Platform", "-c", "user.email=platform@example.com", "commit", "-q", "-m", "Relay module");
        var commit = Git(work, "rev-parse", "HEAD").Trim();
        // A later commit the run must not pick up: the deployment is pinned to the first.
        File.AppendAllText(Path.Combine(work, "modules", "Relay", "main.tf"), "\nresource \"terraform_data\" \"later\" {\n  input = 1\n}\n");
        Git(work, "-c", "user.name=Platform", "-c", "user.email=platform@example.com", "commit", "-q", "-am", "Later change");
        Git(Path.GetDirectoryName(bare)!, "clone", "-q", "--bare", work, bare);
        return commit;
    }

    private static string Git(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {error}");
        return output;
    }

    public async Task DisposeAsync()
    {
        _actions.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private async Task<HttpClient> ClientAsync(string userId)
    {
        var key = await _app.Services.GetRequiredService<ApiKeyStore>().CreateAsync(userId, false, "test", null);
        var client = new HttpClient { BaseAddress = _baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key.Key);
        return client;
    }

    private async Task<ActionsEmulator.EmulatedRun> RunForAsync(int dispatch)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (_actions.Runs.Count < dispatch)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Dispatch {dispatch} never came.");
            await Task.Delay(100);
        }
        return _actions.Runs.OrderBy(r => r.Id).ElementAt(dispatch - 1);
    }

    private static async Task<JsonObject> WaitForStateAsync(HttpClient client, string id, ActionsEmulator.EmulatedRun run, params string[] states)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var deployment = (await client.GetFromJsonAsync<JsonObject>($"/api/deployments/{id}"))!;
            if (states.Contains(deployment["state"]!.GetValue<string>())) return deployment;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Deployment {id} is still {deployment["state"]} ({deployment["message"]}). Script output:\n{run.Output}");
            await Task.Delay(100);
        }
    }

    [TerraformFact]
    public async Task The_workflow_script_plans_waits_for_approval_applies_and_later_destroys_with_state_in_PartnerBot()
    {
        using var client = await ClientAsync("gha-partner");
        var started = await client.PostAsJsonAsync("/api/deployments",
            new { module = "Relay", inputs = new { label = "relay01", size = 3, password = Password } });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        // The dispatch names the module, the repository and the pinned commit; no secret travels in it.
        var run = await RunForAsync(1);
        var dispatch = run.Dispatch;
        var inputs = run.Inputs;
        Assert.Equal(id, inputs["deployment_id"]!.GetValue<string>());
        Assert.Equal("apply", inputs["action"]!.GetValue<string>());
        Assert.Equal("Relay", inputs["module_name"]!.GetValue<string>());
        Assert.Equal(_commit, inputs["module_commit"]!.GetValue<string>());
        Assert.EndsWith("/git/acme/platform-modules.git", inputs["module_repository"]!.GetValue<string>());
        Assert.DoesNotContain(Password, dispatch.ToJsonString());
        Assert.DoesNotContain(CallbackSecret, dispatch.ToJsonString());

        // Plan reported; the run waits and nothing is applied until the plan is approved.
        var ready = await WaitForStateAsync(client, id, run, "PlanReady", "Failure", "InternalError");
        Assert.Equal("PlanReady", ready["state"]!.GetValue<string>());
        Assert.Contains("1 to add, 0 to change, 0 to destroy", ready["message"]!.GetValue<string>());
        await Task.Delay(1000);
        Assert.Null(run.ExitCode);
        var states = _app.Services.GetRequiredService<TerraformStateStore>();
        Assert.Null(await states.ReadAsync(id));

        var applied = await client.PostAsync($"/api/deployments/{id}/apply", null);
        Assert.Equal(HttpStatusCode.Accepted, applied.StatusCode);
        var done = await WaitForStateAsync(client, id, run, "Success", "Failure", "InternalError", "Expired");
        Assert.True(done["state"]!.GetValue<string>() == "Success", $"{done["message"]}\n{run.Output}");
        Assert.Equal(0, await run.WaitAsync());

        // Outputs recorded, the state (of the pinned commit: no "later" resource) in the bot's backend, the log streamed.
        Assert.Equal("relay01", done["outputs"]!["label"]!.GetValue<string>());
        var snapshot = await states.ReadAsync(id);
        Assert.NotNull(snapshot);
        var state = Encoding.UTF8.GetString(snapshot!.Json);
        Assert.Contains("terraform_data", state);
        Assert.DoesNotContain("\"later\"", state);
        var logs = (await client.GetFromJsonAsync<JsonObject>($"/api/deployments/{id}/logs?pageSize=100"))!["lines"]!.AsArray()
            .Select(l => l!.GetValue<string>()).ToList();
        Assert.Contains(logs, l => l.Contains("Apply complete! Resources: 1 added", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Contains("Checked out Relay at " + _commit, StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Contains(Password, StringComparison.Ordinal));
        Assert.DoesNotContain(Password, run.Output);

        // Destroy: a second workflow run plans the destroy from the same state, waits, then applies it.
        var deleting = await client.DeleteAsync($"/api/deployments/{id}");
        Assert.True(deleting.IsSuccessStatusCode, await deleting.Content.ReadAsStringAsync());
        var destroyRun = await RunForAsync(2);
        Assert.Equal("destroy", destroyRun.Inputs["action"]!.GetValue<string>());
        var destroyPlan = await WaitForStateAsync(client, id, destroyRun, "PlanReady", "Failure", "InternalError");
        Assert.Contains("0 to add, 0 to change, 1 to destroy", destroyPlan["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/deployments/{id}/apply", null)).StatusCode);
        var deleted = await WaitForStateAsync(client, id, destroyRun, "Deleted", "Failure", "InternalError", "Expired");
        Assert.True(deleted["state"]!.GetValue<string>() == "Deleted", $"{deleted["message"]}\n{destroyRun.Output}");
        Assert.Equal(0, await destroyRun.WaitAsync());
        var after = Encoding.UTF8.GetString((await states.ReadAsync(id))!.Json);
        Assert.DoesNotContain("terraform_data", after);
    }

    [TerraformFact]
    public async Task A_discarded_plan_stops_the_waiting_run_without_applying()
    {
        using var client = await ClientAsync("gha-discard");
        var started = await client.PostAsJsonAsync("/api/deployments",
            new { module = "Relay", inputs = new { label = "relay02", password = Password } });
        var id = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var run = await RunForAsync(1);
        await WaitForStateAsync(client, id, run, "PlanReady");

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/deployments/{id}/discard", null)).StatusCode);

        Assert.Equal(0, await run.WaitAsync());
        Assert.Contains("Not applied", run.Output);
        Assert.DoesNotContain("Apply complete", run.Output);
        Assert.Null(await _app.Services.GetRequiredService<TerraformStateStore>().ReadAsync(id));
    }

    [Fact]
    public async Task Run_endpoints_refuse_a_caller_without_the_runs_token()
    {
        using var anonymous = new HttpClient { BaseAddress = _baseAddress };
        var response = await anonymous.GetAsync("/api/deployments/dep-x/runs/dep-x.1/environment");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        anonymous.DefaultRequestHeaders.Add("Authorization", "Bearer 0000");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/deployments/dep-x/runs/dep-x.1/approval")).StatusCode);
    }
}
