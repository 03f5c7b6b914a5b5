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
public sealed class GitHubActionsRunnerTests : IAsyncLifetime
{
    private const string Repository = "acme-platform/deployments";
    private const string Token = "ghp_test_platform_token";
    private readonly WireMockServer _github = WireMockServer.Start();
    private DeploymentSecrets _secrets = null!;
    private GitHubActionsRunner _runner = null!;
    private PartnerBot.Tests.Storage.TestStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await PartnerBot.Tests.Storage.TestStore.CreateAsync(PartnerBot.Tests.Storage.StoreKind.Sqlite);
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
        var runs = new PartnerBot.Api.Deployments.Runners.GitHubActions.RunnerRuns(_store.Store, new EphemeralDataProtectionProvider());
        _runner = new GitHubActionsRunner(http, options, configuration, runs, TimeProvider.System, NullLogger<GitHubActionsRunner>.Instance,
            new PartnerBot.Api.Modules.Policy.ModulePolicy(PartnerBot.Api.Modules.Policy.ModulePolicyRules.Default), new ServiceCollection().BuildServiceProvider());
    }

    public async Task DisposeAsync()
    {
        _github.Stop();
        await _store.DisposeAsync();
    }

    private static RunRequest DatabasePlan() => new("dep-gh-1", "partner-1", DeploymentAction.Apply, new ModuleReference("Database", "platform"),
        new Dictionary<string, string> { ["main.tf"] = "" },
        new JsonObject { ["project_id"] = "acme-prod-01", ["admin_password"] = "correct-horse-battery" }, ["admin_password"], 3) { Step = RunStep.Plan };

    [Fact]
    public async Task A_partner_module_the_policy_blocks_is_never_dispatched()
    {
        var request = new RunRequest("dep-gh-blocked", "partner-1", DeploymentAction.Apply, new ModuleReference("Sneaky", "partner-1"),
            new Dictionary<string, string> { ["main.tf"] = "data \"external\" \"env\" {\n  program = [\"env\"]\n}\n" }, [], [], 1) { Step = RunStep.Plan };

        var outcome = await _runner.RunAsync(request, new RecordingObserver(), CancellationToken.None);

        Assert.Equal(RunResult.Failed, outcome.Result);
        Assert.Equal("The module policy blocks this module, so it was not run: main.tf:1: the external data source runs a program on the host running Terraform.",
            outcome.Message);
        Assert.Empty(_github.LogEntries);
    }

    [Fact]
    public async Task A_refused_dispatch_is_a_failure_with_githubs_message_and_sends_no_secret()
    {
        _github.Given(Request.Create().WithPath($"/repos/{Repository}/actions/workflows/deploy.yml/dispatches").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/json")
                .WithBody("""{"message":"Not Found","documentation_url":"https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event","status":"404"}"""));

        var outcome = await _runner.RunAsync(DatabasePlan(), new RecordingObserver(), CancellationToken.None);

        Assert.Equal(RunResult.Failed, outcome.Result);
        Assert.Equal($"GitHub refused to start the workflow deploy.yml in {Repository}: 404 Not Found", outcome.Message);
        var dispatch = _github.LogEntries.Single();
        Assert.Equal("Bearer " + Token, dispatch.RequestMessage.Headers!["Authorization"].Single());
        Assert.DoesNotContain("correct-horse-battery", dispatch.RequestMessage.Body);
        Assert.DoesNotContain("acme-prod-01", dispatch.RequestMessage.Body);
    }

    [Fact]
    public async Task An_apply_without_a_plan_handle_is_refused_as_internal()
    {
        var outcome = await _runner.RunAsync(DatabasePlan() with { Step = RunStep.Apply }, new RecordingObserver(), CancellationToken.None);

        Assert.True(outcome.Internal);
        Assert.Empty(_github.LogEntries);
    }
}
