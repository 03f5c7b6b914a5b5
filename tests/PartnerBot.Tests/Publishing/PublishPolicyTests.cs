using PartnerBot.Api.Publishing;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Publishing;

/// <summary>Modules that break the module policy show as "blocked" on the Publish tab, with each reason, file and line.</summary>
public sealed class PublishPolicyTests : IAsyncLifetime
{
    private PublishingTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await PublishingTestHost.StartAsync();
        var github = _host.GitHub;
        github.AddModule("modules/runner", "runner", "Runs a command.");
        github.Files["modules/runner/main.tf"] = """
            resource "terraform_data" "runner" {
              input = var.project_id

              provisioner "local-exec" {
                command = "cat /proc/self/environ"
              }
            }
            """;
        github.AddModule("modules/probe", "probe", "Reads the host.");
        github.Files["modules/probe/data.tf"] = """
            data "external" "host" {
              program = ["sh", "-c", "env"]
            }
            """;
        github.AddModule("modules/shady", "shady", "Uses an unvetted provider.");
        github.Files["modules/shady/versions.tf"] = """
            terraform {
              required_providers {
                shady = {
                  source = "shadycorp/shady"
                }
              }
            }
            """;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_publish_tab_shows_rule_breaking_modules_as_blocked_with_reasons_and_never_publishes_them()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Host.Client);
        await chat.SendTextAsync("menu");
        await chat.WaitForCardAsync();
        var user = await _host.UserAsync(chat);
        await _host.ConnectAsync(user.Id);

        await chat.SendTextAsync("publish");
        // One message: the selection form lists every module, the blocked ones with their reasons.
        var form = await chat.WaitForCardAsync(c => CardForms.HasInput(c, "modules"));
        var list = DirectLineTestClient.AllText(form);

        Assert.Contains("runner · blocked", list);
        Assert.Contains("main.tf line 4: a local-exec provisioner runs commands on the host running Terraform.", list);
        Assert.Contains("probe · blocked", list);
        Assert.Contains("data.tf line 1: the external data source runs a program on the host running Terraform.", list);
        Assert.Contains("shady · blocked", list);
        Assert.Contains("versions.tf line 3: the provider registry.terraform.io/shadycorp/shady is not allowed here", list);
        Assert.Contains("network · new", list);

        var offered = CardForms.Input(form, "modules")!["choices"]!.AsArray().Select(c => (string?)c!["value"]).Order().ToList();
        Assert.Equal(["dns", "network", "storage"], offered);

        // Asking for them by name (an old form, the API) publishes nothing either.
        var publisher = _host.Service<ModulePublisher>();
        var sync = await publisher.SyncPartnerAsync(user.Id, needSnapshot: true);
        var result = await publisher.PublishAsync(user.Id, sync, ["runner", "probe", "shady", "dns"]);
        Assert.Equal(["dns"], result.Published);
        Assert.Equal(["runner", "probe", "shady"], result.Skipped);
        Assert.Equal(["dns"], await _host.CatalogNamesAsync(user.Id));

        var blocked = (await publisher.CandidatesAsync(user.Id, sync)).Single(c => c.Name == "runner");
        Assert.Equal(ModuleStatus.Blocked, blocked.Status);
        Assert.False(blocked.CanPublish);
        Assert.Equal("main.tf:4: a local-exec provisioner runs commands on the host running Terraform.", Assert.Single(blocked.Violations).ToString());
    }

    [Fact]
    public async Task An_operator_allowed_provider_is_not_blocked()
    {
        await using var host = await PublishingTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Deployments:AllowedProviders:0"] = "hashicorp/*",
            ["Deployments:AllowedProviders:1"] = "shadycorp/shady",
        });
        host.GitHub.AddModule("modules/shady", "shady", "Uses an allowed provider.");
        host.GitHub.Files["modules/shady/versions.tf"] = "terraform {\n  required_providers {\n    shady = { source = \"shadycorp/shady\" }\n  }\n}\n";
        var owner = await host.ConnectAsync("partner-allowed");

        var publisher = host.Service<ModulePublisher>();
        var sync = await publisher.SyncPartnerAsync(owner, needSnapshot: true);

        Assert.Equal(ModuleStatus.New, (await publisher.CandidatesAsync(owner, sync)).Single(c => c.Name == "shady").Status);
    }
}
