using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.Runners;

namespace PartnerBot.Tests.Deployments.Isolation;

/// <summary>
/// Nothing of the host reaches a run: a module deployed with the bot's secrets in the bot's own environment reads
/// <c>/proc/self/environ</c>, looks for the SQLite database and lists the folders around its run folder, with the real
/// Terraform CLI in the real bubblewrap sandbox.
/// </summary>
[Collection(HostEnvironmentCollection.Name)]
public sealed class RunIsolationTests : IDisposable
{
    private const string PassedVariable = "PARTNERBOT_TEST_CLOUD_TOKEN";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "isolation-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> _hostSecrets;
    private readonly string _passedValue = "cloud-credential-" + Guid.NewGuid().ToString("N");

    public RunIsolationTests()
    {
        var salt = Guid.NewGuid().ToString("N");
        _hostSecrets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["MicrosoftAppPassword"] = "teams-app-password-" + salt,
            ["Stripe__SecretKey"] = "sk_test_" + salt,
            ["Stripe__WebhookSecret"] = "whsec_" + salt,
            ["Slack__BotToken"] = "xoxb-" + salt,
            ["Slack__SigningSecret"] = "slack-signing-" + salt,
            ["Storage__Cosmos__ConnectionString"] = $"AccountEndpoint=https://acme.documents.azure.com:443/;AccountKey={salt}==;",
            ["GitHub__PlatformToken"] = "ghp_" + salt,
        };
        foreach (var (name, value) in _hostSecrets) Environment.SetEnvironmentVariable(name, value);
        Environment.SetEnvironmentVariable(PassedVariable, _passedValue);

        // The bot's data folder: the database, and other runs' folders beside this one.
        Directory.CreateDirectory(DataFolder);
        File.WriteAllText(DatabasePath, "SQLite format 3\0 (the key ring lives here)");
        WriteFile(Path.Combine(WorkRoot, "partner-1", "dep-sibling", "terraform.tfstate"), "{\"sibling\": \"state\"}");
        WriteFile(Path.Combine(WorkRoot, "partner-2", "dep-other", "terraform.tfstate"), "{\"other\": \"partner\"}");
        WriteFile(Path.Combine(WorkRoot, ".plugin-cache", "partner-2", "registry.terraform.io", "marker"), "");
    }

    public void Dispose()
    {
        foreach (var name in _hostSecrets.Keys) Environment.SetEnvironmentVariable(name, null);
        Environment.SetEnvironmentVariable(PassedVariable, null);
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string DataFolder => Path.Combine(_root, "data");
    private string DatabasePath => Path.Combine(DataFolder, "partnerbot.db");
    private string WorkRoot => Path.Combine(DataFolder, "work");
    private string RunFolder => Path.Combine(WorkRoot, "partner-1", "dep-iso");

    private static void WriteFile(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private const string ProbeModule = """
        variable "database_path" {
          type = string
        }

        resource "terraform_data" "probe" {
          input = "probe"
        }

        output "environ" {
          value = file("/proc/self/environ")
        }

        output "database_visible" {
          value = fileexists(var.database_path)
        }

        output "data_folder_listing" {
          value = fileset(dirname(var.database_path), "**")
        }

        output "parent_listing" {
          value = fileset(dirname(path.cwd), "**")
        }

        output "work_root_listing" {
          value = fileset(dirname(dirname(path.cwd)), "**")
        }

        output "shadow_visible" {
          value = fileexists("/etc/shadow")
        }
        """;

    private const string EnvironModule = """
        resource "terraform_data" "probe" {
          input = "probe"
        }

        output "environ" {
          value = file("/proc/self/environ")
        }
        """;

    private async Task<(RunOutcome Outcome, RecordingObserver Log)> RunAsync(string module, JsonObject variables, string? sandbox)
    {
        var runner = LocalRunnerFactory.Create(new DeploymentOptions
        {
            Local = new LocalRunnerOptions { WorkRoot = WorkRoot, Sandbox = sandbox, PassEnvironment = [PassedVariable] },
        }, configuration: new Dictionary<string, string?> { ["Storage:Sqlite:Path"] = DatabasePath });
        var log = new RecordingObserver();
        var request = new RunRequest("dep-iso", "partner-1", DeploymentAction.Apply, new ModuleReference("Probe", "platform"),
            new Dictionary<string, string> { ["main.tf"] = module }, variables, [], 1);
        var outcome = await runner.RunAsync(request, log, CancellationToken.None);
        Assert.True(outcome.Result == RunResult.Succeeded, outcome.Message + "\n" + string.Join("\n", log.Lines));
        return (outcome, log);
    }

    private static string[] Strings(RunOutcome outcome, string output) =>
        outcome.Outputs![output].Value!.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    [SandboxedTerraformFact]
    public async Task A_platform_module_reading_the_environment_database_and_neighbouring_folders_sees_none_of_them()
    {
        Assert.True(File.Exists(DatabasePath));
        Assert.Equal(_hostSecrets["Stripe__SecretKey"], Environment.GetEnvironmentVariable("Stripe__SecretKey"));

        var (outcome, log) = await RunAsync(ProbeModule, new JsonObject { ["database_path"] = DatabasePath }, sandbox: null);

        // Shared only because the state lives in the host's backend, reached over HTTP.
        Assert.Contains("Running in a bubblewrap sandbox, with network access.", log.Lines);
        var environ = outcome.Outputs!["environ"].Value!.GetValue<string>();
        var variables = environ.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToDictionary(v => v[..v.IndexOf('=')], v => v[(v.IndexOf('=') + 1)..]);
        var everything = string.Join("\n", outcome.Outputs.Select(o => o.Value.Value!.ToJsonString())) + string.Join("\n", log.Lines);
        foreach (var (name, secret) in _hostSecrets)
        {
            Assert.DoesNotContain(name, variables.Keys);
            Assert.DoesNotContain(secret, everything);
        }

        Assert.Equal(Path.Combine(WorkRoot, ".plugin-cache", "partner-1"), variables["TF_PLUGIN_CACHE_DIR"]);
        Assert.Equal(Path.Combine(RunFolder, ".home"), variables["HOME"]);
        Assert.Equal("1", variables["TF_IN_AUTOMATION"]);
        Assert.Equal(_passedValue, variables[PassedVariable]);
        // The one credential a run gets is its own deployment's, for its state.
        Assert.Equal(await LocalRunnerFactory.Backend.Get<PartnerBot.Api.Deployments.State.TerraformStateCredentials>().PasswordAsync("dep-iso"),
            variables["TF_HTTP_PASSWORD"]);
        Assert.Equal(
            ["CHECKPOINT_DISABLE", "HOME", PassedVariable, "PATH", "PWD", "TF_CLI_CONFIG_FILE", "TF_HTTP_PASSWORD", "TF_INPUT",
             "TF_IN_AUTOMATION", "TF_PLUGIN_CACHE_DIR", "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"],
            variables.Keys.Order(StringComparer.Ordinal));

        Assert.False(outcome.Outputs["database_visible"].Value!.GetValue<bool>());
        Assert.False(outcome.Outputs["shadow_visible"].Value!.GetValue<bool>());
        Assert.All(Strings(outcome, "data_folder_listing"), f => Assert.StartsWith("work/partner-1/dep-iso/", f));
        var parent = Strings(outcome, "parent_listing");
        Assert.Contains("dep-iso/main.tf", parent);
        Assert.All(parent, f => Assert.StartsWith("dep-iso/", f));
        var workRoot = Strings(outcome, "work_root_listing");
        Assert.Contains("partner-1/dep-iso/main.tf", workRoot);
        Assert.All(workRoot, f => Assert.StartsWith("partner-1/dep-iso/", f));
    }

    [TerraformFact]
    public async Task Without_a_sandbox_a_run_still_starts_from_an_empty_environment()
    {
        var (outcome, log) = await RunAsync(EnvironModule, [], sandbox: "none");

        Assert.Contains("Running without a sandbox, from an empty environment.", log.Lines);
        var environ = outcome.Outputs!["environ"].Value!.GetValue<string>();
        foreach (var (name, secret) in _hostSecrets)
        {
            Assert.DoesNotContain(name + "=", environ);
            Assert.DoesNotContain(secret, environ);
        }
        Assert.Contains($"TF_PLUGIN_CACHE_DIR={Path.Combine(WorkRoot, ".plugin-cache", "partner-1")}\0", environ);
        Assert.Contains($"{PassedVariable}={_passedValue}\0", environ);
    }
}
