using System.Diagnostics;
using System.Text.Json.Nodes;
using PartnerBot.Api.Modules;
using PartnerBot.Bot.Cli;

namespace PartnerBot.Tests.Modules;

public sealed class ModuleLoaderTests
{
    private static string Dir(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "Modules", "dirs", name);

    [Fact]
    public void A_folder_is_read_from_all_its_tf_files_but_not_subfolders()
    {
        var result = ModuleLoader.LoadDirectory(Dir("sample_app"));
        var module = Assert.IsType<TerraformModule>(result.Module);
        Assert.Equal("sample_app", module.Name);
        Assert.True(module.Valid);
        Assert.Empty(module.Problems);
        Assert.Contains(module.Variables, v => v.Name == "extra_in_outputs_file");
        Assert.DoesNotContain(module.Variables, v => v.Name is "application_config" or "not_parsed");

        var m = module.Metadata;
        Assert.Equal("Sample web application on Cloud Run with a managed database.", m.Description);
        Assert.Equal("https://docs.example.com/modules/sample-webapp", m.Documentation);
        Assert.Equal(["GCP_Services", "GCP_Project"], m.Dependencies);
        Assert.Equal(["Cloud Run", "Cloud SQL", "Secret Manager"], m.Services);
        Assert.Equal(250m, m.CreditCost);
        Assert.True(m.RequireCreditPurchases);
        Assert.True(m.PublicAccess);
        Assert.False(m.EnablePurge);
        Assert.Equal(["ops@example.com", "dev@example.com"], m.SharedUsers);
        Assert.Equal(["support@example.com"], m.TechnicalSupportUsers);

        Assert.True(module.Variables.Single(v => v.Name == "credit_cost") is { IsMetadata: true, IsPlatformWiring: false });
        var region = module.Variables.Single(v => v.Name == "region");
        Assert.False(region.IsPlatformWiring);
        Assert.Equal((1, 2, true), (region.Group, region.Order, region.UpdateSafe));
        var password = module.Variables.Single(v => v.Name == "db_password");
        Assert.True(password is { Sensitive: true, Nullable: false, HasDefault: true, Default: null, Required: false });
        Assert.True(module.Variables.Single(v => v.Name == "project_id").Required);
    }

    [Fact]
    public void In_memory_files_load_like_a_folder()
    {
        var folder = Dir("sample_app");
        var files = Directory.GetFiles(folder).ToDictionary(p => Path.GetFileName(p), File.ReadAllText);
        var fromMemory = ModuleLoader.LoadFiles("sample_app", files);
        var fromDisk = ModuleLoader.LoadDirectory(folder);
        Assert.Equal(ModuleInspectJson.ToJsonLine(fromDisk), ModuleInspectJson.ToJsonLine(fromMemory));
    }

    [Fact]
    public void Helper_submodules_are_not_listed_and_say_why()
    {
        var module = ModuleLoader.LoadDirectory(Path.Combine(Dir("sample_app"), "modules", "helper")).Module!;
        Assert.False(module.Valid);
        Assert.Contains(module.Problems, p => p.Contains("public_access", StringComparison.Ordinal));
        Assert.Null(module.Metadata.PublicAccess);
    }

    [Fact]
    public void A_syntax_error_names_the_file_line_and_column()
    {
        var result = ModuleLoader.LoadDirectory(Dir("broken"));
        Assert.Null(result.Module);
        Assert.StartsWith("b.tf:2:13: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_tf_files_is_parsed_but_not_valid()
    {
        var module = ModuleLoader.LoadDirectory(Dir("no_tf")).Module!;
        Assert.False(module.Valid);
        Assert.Contains("The folder has no .tf files.", module.Problems);
    }

    [Fact]
    public void Inspect_prints_json_lines_in_the_interface_shape()
    {
        var writer = new StringWriter();
        var exitCode = ModuleCommands.Inspect([Dir("sample_app"), Dir("broken")], json: true, writer);
        Assert.Equal(1, exitCode);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);

        var module = JsonNode.Parse(lines[0])!.AsObject();
        Assert.Equal(["name", "valid", "problems", "metadata", "variables"], module.Select(p => p.Key));
        Assert.Equal(["description", "documentation", "dependencies", "services", "creditCost", "requireCreditPurchases",
            "publicAccess", "enablePurge", "sharedUsers", "technicalSupportUsers"], module["metadata"]!.AsObject().Select(p => p.Key));
        var variables = module["variables"]!.AsArray().Select(v => v!.AsObject()).ToDictionary(v => (string)v["name"]!);
        Assert.Equal(["name", "type", "description", "required", "sensitive", "nullable", "group", "order", "updateSafe", "validations"],
            variables["project_id"].Select(p => p.Key));
        Assert.True(variables["db_password"].ContainsKey("default"));
        Assert.Null(variables["db_password"]["default"]);
        Assert.Equal("list(string)", (string)variables["module_dependency"]["type"]!);
        Assert.Equal("contains([\"us-central1\", \"europe-west1\", \"asia-east1\"], var.region)", (string)variables["region"]["validations"]![0]!["condition"]!);

        var broken = JsonNode.Parse(lines[1])!.AsObject();
        Assert.Equal(["name", "error"], broken.Select(p => p.Key));
        Assert.Equal("broken", (string)broken["name"]!);
        Assert.StartsWith("b.tf:2:13: ", (string)broken["error"]!, StringComparison.Ordinal);

        Assert.Equal(0, ModuleCommands.Inspect([Dir("sample_app"), Dir("no_tf")], json: true, new StringWriter()));
    }

    [Fact]
    public async Task The_partnerbot_executable_runs_module_inspect()
    {
        var executable = Path.Combine(AppContext.BaseDirectory, "partnerbot.dll");
        Assert.True(File.Exists(executable), "partnerbot.dll is copied next to the tests");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { executable, "module", "inspect", Dir("sample_app"), Dir("broken"), "--json" }) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(1, process.ExitCode);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.True((bool)JsonNode.Parse(lines[0])!["valid"]!);
        Assert.NotNull(JsonNode.Parse(lines[1])!["error"]);
    }
}
