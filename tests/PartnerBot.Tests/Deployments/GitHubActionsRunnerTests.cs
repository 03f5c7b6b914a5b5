using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace PartnerBot.Tests.Deployments;

/// <summary>The GitHub Actions runner against a WireMock.Net server answering like the GitHub REST API.</summary>
public sealed class GitHubActionsRunnerTests : IDisposable
{
    private const string Repository = "acme-platform/deployments";
    private const string Token = "ghp_test_platform_token";
    private readonly WireMockServer _github = WireMockServer.Start();
    private readonly DeploymentSecrets _secrets;
    private readonly GitHubActionsRunner _runner;

    public GitHubActionsRunnerTests()
    {
        var options = Options.Create(new DeploymentOptions
        {
            Runner = RunnerKind.GitHubActions,
            GitHubActions = new GitHubActionsRunnerOptions
            {
                Repository = Repository,
                Workflow = "deploy.yml",
                CallbackSecret = "callback-master-secret-for-tests",
                PollInterval = TimeSpan.FromMilliseconds(20),
                RunLookupTimeout = TimeSpan.FromSeconds(5),
            },
        });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitHub:ApiBaseUrl"] = _github.Url + "/",
            ["GitHub:PlatformToken"] = Token,
            ["PublicBaseUrl"] = "https://bot.example.com",
        }).Build();
        _secrets = new DeploymentSecrets(new EphemeralDataProtectionProvider(), options);
        var http = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        _runner = new GitHubActionsRunner(http, options, configuration, _secrets, TimeProvider.System, NullLogger<GitHubActionsRunner>.Instance,
            new PartnerBot.Api.Modules.Policy.ModulePolicy(PartnerBot.Api.Modules.Policy.ModulePolicyRules.Default));
    }

    public void Dispose() => _github.Stop();

    private static RunRequest DatabaseRun() => new("dep-gh-1", "partner-1", DeploymentAction.Apply, new ModuleReference("Database", "platform"),
        new Dictionary<string, string> { ["main.tf"] = "" },
        new JsonObject { ["project_id"] = "acme-prod-01", ["admin_password"] = "correct-horse-battery" }, ["admin_password"], 3);

    private static string Run(long id, string status, string? conclusion, string runKey) => new JsonObject
    {
        ["id"] = id,
        ["name"] = "Deploy",
        ["node_id"] = "WFR_kwLOBHhZ8M8AAAAB",
        ["head_branch"] = "main",
        ["head_sha"] = "acb5820ced9479c074f688cc328bf03f341a511d",
        ["path"] = ".github/workflows/deploy.yml",
        ["display_title"] = $"PartnerBot {runKey}",
        ["run_number"] = 42,
        ["event"] = "workflow_dispatch",
        ["status"] = status,
        ["conclusion"] = conclusion,
        ["workflow_id"] = 159038,
        ["url"] = $"https://api.github.com/repos/{Repository}/actions/runs/{id}",
        ["html_url"] = $"https://github.com/{Repository}/actions/runs/{id}",
        ["created_at"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        ["updated_at"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        ["run_attempt"] = 1,
        ["run_started_at"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
    }.ToJsonString();

    [Fact]
    public async Task A_partner_module_the_policy_blocks_is_never_dispatched()
    {
        GivenDispatchAccepted();
        var request = new RunRequest("dep-gh-blocked", "partner-1", DeploymentAction.Apply, new ModuleReference("Sneaky", "partner-1"),
            new Dictionary<string, string> { ["main.tf"] = "data \"external\" \"env\" {\n  program = [\"env\"]\n}\n" }, [], [], 1);

        var outcome = await _runner.RunAsync(request, new RecordingObserver(), CancellationToken.None);

        Assert.Equal(RunResult.Failed, outcome.Result);
        Assert.Equal("The module policy blocks this module, so it was not run: main.tf:1: the external data source runs a program on the host running Terraform.",
            outcome.Message);
        Assert.Empty(_github.LogEntries);
    }

    private void GivenDispatchAccepted() =>
        _github.Given(Request.Create().WithPath($"/repos/{Repository}/actions/workflows/deploy.yml/dispatches").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(204));

    private void GivenRunListed(long id, string runKey)
    {
        // An unrelated run from another deployment comes first, as on a busy repository.
        var list = $$"""{"total_count":2,"workflow_runs":[{{Run(id - 1, "completed", "success", "dep-other.1")}},{{Run(id, "queued", null, runKey)}}]}""";
        _github.Given(Request.Create().WithPath($"/repos/{Repository}/actions/runs").WithParam("event", "workflow_dispatch").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(list));
    }

    private void GivenRunProgresses(long id, string conclusion, string runKey)
    {
        _github.Given(Request.Create().WithPath($"/repos/{Repository}/actions/runs/{id}").UsingGet())
            .InScenario("run").WillSetStateTo("finished")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(Run(id, "in_progress", null, runKey)));
        _github.Given(Request.Create().WithPath($"/repos/{Repository}/actions/runs/{id}").UsingGet())
            .InScenario("run").WhenStateIs("finished")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(Run(id, "completed", conclusion, runKey)));
    }

    [Fact]
    public async Task Dispatches_the_workflow_follows_the_run_and_reports_success()
    {
        GivenDispatchAccepted();
        GivenRunListed(30433642, "dep-gh-1.3");
        GivenRunProgresses(30433642, "success", "dep-gh-1.3");
        var observer = new RecordingObserver();

        var outcome = await _runner.RunAsync(DatabaseRun(), observer, CancellationToken.None);

        Assert.Equal(RunResult.Succeeded, outcome.Result);
        Assert.Equal(("30433642", $"https://github.com/{Repository}/actions/runs/30433642"), observer.ExternalRun);

        var dispatch = _github.LogEntries.Single(e => e.RequestMessage.Path.EndsWith("/dispatches"));
        Assert.Equal("Bearer " + Token, dispatch.RequestMessage.Headers!["Authorization"].Single());
        var body = JsonNode.Parse(dispatch.RequestMessage.Body!)!;
        Assert.Equal("main", body["ref"]!.GetValue<string>());
        var inputs = body["inputs"]!;
        Assert.Equal("dep-gh-1", inputs["deployment_id"]!.GetValue<string>());
        Assert.Equal("dep-gh-1.3", inputs["run_key"]!.GetValue<string>());
        Assert.Equal("https://bot.example.com/api/deployments/dep-gh-1/events", inputs["callback_url"]!.GetValue<string>());
        Assert.Equal("""{"project_id":"acme-prod-01"}""", inputs["variables"]!.GetValue<string>());
        Assert.DoesNotContain("correct-horse-battery", dispatch.RequestMessage.Body);
        var opened = _secrets.OpenFromRunner("dep-gh-1", inputs["sensitive_variables"]!.GetValue<string>());
        Assert.Equal("correct-horse-battery", opened["admin_password"]!.GetValue<string>());
        Assert.True(_github.LogEntries.Count(e => e.RequestMessage.Path.EndsWith("/runs/30433642")) >= 2);
    }

    [Fact]
    public async Task A_failed_run_is_a_failure_with_a_link_to_the_run()
    {
        GivenDispatchAccepted();
        GivenRunListed(555, "dep-gh-1.3");
        GivenRunProgresses(555, "failure", "dep-gh-1.3");

        var outcome = await _runner.RunAsync(DatabaseRun(), new RecordingObserver(), CancellationToken.None);

        Assert.Equal(RunResult.Failed, outcome.Result);
        Assert.Equal($"The workflow run ended with 'failure': https://github.com/{Repository}/actions/runs/555", outcome.Message);
    }

    [Fact]
    public async Task A_refused_dispatch_is_a_failure_with_githubs_message()
    {
        _github.Given(Request.Create().WithPath($"/repos/{Repository}/actions/workflows/deploy.yml/dispatches").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/json")
                .WithBody("""{"message":"Not Found","documentation_url":"https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event","status":"404"}"""));

        var outcome = await _runner.RunAsync(DatabaseRun(), new RecordingObserver(), CancellationToken.None);

        Assert.Equal(RunResult.Failed, outcome.Result);
        Assert.Equal($"GitHub refused to start the workflow deploy.yml in {Repository}: 404 Not Found", outcome.Message);
    }

    [Fact]
    public async Task Cancelling_asks_github_to_cancel_the_run()
    {
        GivenDispatchAccepted();
        GivenRunListed(777, "dep-gh-1.3");
        _github.Given(Request.Create().WithPath($"/repos/{Repository}/actions/runs/777").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(Run(777, "in_progress", null, "dep-gh-1.3")));
        _github.Given(Request.Create().WithPath($"/repos/{Repository}/actions/runs/777/cancel").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(202).WithBody("{}"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _runner.RunAsync(DatabaseRun(), new RecordingObserver(), cancel.Token));

        Assert.Contains(_github.LogEntries, e => e.RequestMessage.Path.EndsWith("/runs/777/cancel") && e.RequestMessage.Method == "POST");
    }
}
