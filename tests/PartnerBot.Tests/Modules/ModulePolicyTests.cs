using PartnerBot.Api.Modules.Policy;

namespace PartnerBot.Tests.Modules;

public sealed class ModulePolicyTests
{
    private static readonly ModulePolicy Defaults = new(ModulePolicyRules.Default);

    private static ModuleAnalysis Analyze(string mainTf, ModulePolicy? policy = null, Dictionary<string, string>? more = null)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal) { ["main.tf"] = mainTf };
        foreach (var (name, content) in more ?? []) files[name] = content;
        return (policy ?? Defaults).Analyze(files);
    }

    private static string[] Found(ModuleAnalysis analysis) => analysis.Violations.Select(v => $"{v.File}:{v.Line}").ToArray();

    public static TheoryData<string, string, string> Violations => new()
    {
        {
            "local-exec provisioner",
            """
            resource "terraform_data" "run" {
              input = "x"

              provisioner "local-exec" {
                command = "cat /proc/self/environ"
              }
            }
            """,
            "main.tf:4: a local-exec provisioner runs commands on the host running Terraform."
        },
        {
            "remote-exec provisioner",
            """
            resource "terraform_data" "vm" {
              provisioner "remote-exec" {
                inline = ["id"]
              }
            }
            """,
            "main.tf:2: a remote-exec provisioner runs commands over a connection to another machine."
        },
        {
            "file provisioner",
            """
            resource "terraform_data" "vm" {
              provisioner "file" {
                source      = "/etc/hostname"
                destination = "/tmp/x"
              }
            }
            """,
            "main.tf:2: a file provisioner copies files from the host running Terraform to another machine."
        },
        {
            "destroy-time local-exec in a removed block",
            """

            removed {
              from = terraform_data.old
              provisioner "local-exec" {
                when    = destroy
                command = "env"
              }
            }
            """,
            "main.tf:4: a local-exec provisioner runs commands on the host running Terraform."
        },
        {
            "external data source",
            """
            data "external" "environment" {
              program = ["sh", "-c", "env"]
            }
            """,
            "main.tf:1: the external data source runs a program on the host running Terraform."
        },
        {
            "external data source inside a check block",
            """
            check "probe" {
              data "external" "environment" {
                program = ["env"]
              }
              assert {
                condition     = true
                error_message = "never"
              }
            }
            """,
            "main.tf:2: the external data source runs a program on the host running Terraform."
        },
        {
            "provider outside the allow list, declared",
            """
            terraform {
              required_providers {
                evil = {
                  source  = "evilcorp/evil"
                  version = "1.0.0"
                }
              }
            }
            """,
            "main.tf:3: the provider registry.terraform.io/evilcorp/evil is not allowed here"
        },
        {
            "provider on another registry host",
            """
            terraform {
              required_providers {
                aws = { source = "registry.example.com/hashicorp/aws" }
              }
            }
            """,
            "main.tf:3: the provider registry.example.com/hashicorp/aws is not allowed here"
        },
        {
            "provider chosen by the provider meta-argument",
            """
            terraform {
              required_providers {
                cf = { source = "cloudflare/cloudflare" }
              }
            }

            resource "cloudflare_record" "www" {
              provider = cf.zone
            }
            """,
            "main.tf:3: the provider registry.terraform.io/cloudflare/cloudflare is not allowed here"
        },
        {
            "module source leaving the folder",
            """
            module "shared" {
              source = "../shared"
            }
            """,
            "main.tf:2: module \"shared\": \"../shared\" is outside the module's own folder."
        },
        {
            "git module source",
            """
            module "vpc" {

              source = "git::https://example.com/vpc.git?ref=v1"
            }
            """,
            "main.tf:3: module \"vpc\": \"git::https://example.com/vpc.git?ref=v1\" is outside the module's own folder; only its sub-folders (./...) and allowed registry modules may be used."
        },
        {
            "GitHub shorthand module source",
            """
            module "vpc" {
              source = "github.com/acme/terraform-vpc"
            }
            """,
            "main.tf:2: module \"vpc\": \"github.com/acme/terraform-vpc\" is outside the module's own folder"
        },
        {
            "registry module not allowed",
            """
            module "vpc" {
              source  = "terraform-aws-modules/vpc/aws"
              version = "5.0.0"
            }
            """,
            "main.tf:2: module \"vpc\": the registry module \"terraform-aws-modules/vpc/aws\" is not allowed here (Deployments:AllowedModuleSources)."
        },
        {
            "module source built from an expression",
            """
            module "vpc" {
              source = "${path.module}/vpc"
            }
            """,
            "main.tf:2: module \"vpc\" needs a literal source string."
        },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public void A_rule_breaking_module_is_reported_with_file_line_and_reason(string name, string mainTf, string expected)
    {
        var analysis = Analyze(mainTf);

        Assert.False(analysis.Allowed, name);
        Assert.Contains(analysis.Violations, v => v.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_clean_module_with_hashicorp_providers_a_local_sub_module_and_the_built_in_provider_passes()
    {
        var analysis = Analyze("""
            terraform {
              required_providers {
                random = {
                  source  = "hashicorp/random"
                  version = "~> 3.6"
                }
                google = "~> 5.0"
              }
            }

            provider "google" {
              region = "europe-west1"
            }

            resource "random_pet" "name" {}

            resource "terraform_data" "thing" {
              input = random_pet.name.id
            }

            module "network" {
              source = "./network"
            }
            """, more: new()
        {
            ["network/main.tf"] = """
                module "subnet" {
                  source = "../subnet"
                }
                resource "google_compute_network" "vpc" {
                  name = "vpc"
                }
                """,
            ["subnet/main.tf"] = "resource \"terraform_data\" \"subnet\" {}\n",
            ["README.md"] = "provisioner \"local-exec\" is only text here",
        });

        Assert.True(analysis.Allowed, analysis.Describe());
        Assert.Equal(
            ["registry.terraform.io/hashicorp/google", "registry.terraform.io/hashicorp/random", "terraform.io/builtin/terraform"],
            analysis.Providers.Order(StringComparer.Ordinal));
        Assert.True(analysis.NeedsNetwork);
    }

    [Fact]
    public void An_undeclared_provider_is_the_hashicorp_one_terraform_assumes()
    {
        var analysis = Analyze("resource \"cloudflare_record\" \"www\" {\n  name = \"www\"\n}\n");

        Assert.True(analysis.Allowed, analysis.Describe());
        Assert.Equal(["registry.terraform.io/hashicorp/cloudflare"], analysis.Providers);
    }

    [Fact]
    public void A_terraform_data_only_module_needs_no_network()
    {
        var analysis = Analyze("resource \"terraform_data\" \"x\" {\n  input = 1\n}\n");

        Assert.True(analysis.Allowed);
        Assert.Equal(["terraform.io/builtin/terraform"], analysis.Providers);
        Assert.False(analysis.NeedsNetwork);
    }

    [Fact]
    public void Every_file_is_read_sub_folders_included_and_violations_come_in_file_and_line_order()
    {
        var analysis = Analyze("""
            resource "terraform_data" "a" {
              provisioner "local-exec" {
                command = "id"
              }
            }
            """, more: new()
        {
            ["helpers/exec.tf"] = """
                data "external" "x" {
                  program = ["env"]
                }

                module "up" {
                  source = "../../elsewhere"
                }
                """,
            ["override.tofu"] = """
                terraform {
                  required_providers {
                    shady = { source = "shadycorp/shady" }
                  }
                }
                """,
            ["extra.tf.json"] = """{ "resource": { "terraform_data": { "x": { "provisioner": [{ "local-exec": { "command": "id" } }] } } } }""",
            ["broken.tf"] = "resource \"terraform_data\" {\n",
        });

        Assert.Equal(["broken.tf:1", "extra.tf.json:1", "helpers/exec.tf:1", "helpers/exec.tf:6", "main.tf:2", "override.tofu:3"], Found(analysis));
        Assert.Contains("JSON configuration files are not accepted", analysis.Violations[1].Reason);
        Assert.Contains("does not parse", analysis.Violations[0].Reason);
        Assert.Contains("\"../../elsewhere\" is outside the module's own folder", analysis.Violations[3].Reason);
    }

    [Fact]
    public void The_allow_lists_name_sources_or_namespaces_and_replace_the_default()
    {
        var policy = new ModulePolicy(new ModulePolicyRules(["cloudflare", "integrations/github", "registry.example.com/acme/*"],
            ["terraform-aws-modules/*", "app.terraform.io/acme/network/google"]));
        var analysis = Analyze("""
            terraform {
              required_providers {
                cloudflare = { source = "cloudflare/cloudflare" }
                github     = { source = "integrations/github" }
                internal   = { source = "registry.example.com/acme/internal" }
                gitlab     = { source = "gitlabhq/gitlab" }
                aws        = { source = "hashicorp/aws" }
              }
            }

            module "vpc" {
              source = "terraform-aws-modules/vpc/aws"
            }

            module "network" {
              source = "app.terraform.io/acme/network/google//modules/subnet"
            }

            module "dns" {
              source = "app.terraform.io/acme/dns/google"
            }
            """, policy);

        Assert.Equal(["main.tf:6", "main.tf:7", "main.tf:20"], Found(analysis));
        Assert.Contains("gitlabhq/gitlab", analysis.Violations[0].Reason);
        Assert.Contains("hashicorp/aws", analysis.Violations[1].Reason);
        Assert.Equal(["registry.terraform.io/terraform-aws-modules/vpc/aws", "app.terraform.io/acme/network/google"], analysis.RegistryModules);
    }

    [Fact]
    public void The_default_allows_hashicorp_on_the_public_registries_and_the_built_ins()
    {
        var rules = ModulePolicyRules.Default;
        Assert.True(rules.AllowsProvider("registry.terraform.io/hashicorp/aws"));
        Assert.True(rules.AllowsProvider("registry.opentofu.org/hashicorp/aws"));
        Assert.True(rules.AllowsProvider("terraform.io/builtin/terraform"));
        Assert.False(rules.AllowsProvider("registry.example.com/hashicorp/aws"));
        Assert.False(rules.AllowsProvider("registry.terraform.io/hashicorpx/aws"));
    }

    [Theory]
    [InlineData("hashicorp/*", true)]
    [InlineData("hashicorp", true)]
    [InlineData("integrations/github", true)]
    [InlineData("registry.example.com/acme/*", true)]
    [InlineData("*", true)]
    [InlineData("hashicorp/aws/extra", false)]
    [InlineData("not a source", false)]
    [InlineData("", false)]
    public void Allowed_provider_patterns_are_checked(string pattern, bool valid) =>
        Assert.Equal(valid, ProviderAddress.PatternProblem(pattern) is null);

    [Theory]
    [InlineData("terraform-aws-modules/*", true)]
    [InlineData("terraform-aws-modules/vpc/aws", true)]
    [InlineData("terraform-aws-modules/vpc/*", true)]
    [InlineData("app.terraform.io/acme/*", true)]
    [InlineData("git::https://example.com/x.git", false)]
    [InlineData("./local", false)]
    public void Allowed_module_source_patterns_are_checked(string pattern, bool valid) =>
        Assert.Equal(valid, ModuleSourceAddress.PatternProblem(pattern) is null);

    [Fact]
    public void The_sample_catalog_modules_pass_the_policy()
    {
        var catalog = Path.Combine(AppContext.BaseDirectory, "catalog");
        Assert.True(Directory.Exists(catalog), catalog);
        foreach (var folder in Directory.EnumerateDirectories(catalog))
        {
            var analysis = ModulePolicy.ReadFolder(folder) is var files ? Defaults.Analyze(files) : null;
            Assert.True(analysis!.Allowed, $"{Path.GetFileName(folder)}: {analysis.Describe()}");
        }
    }
}
