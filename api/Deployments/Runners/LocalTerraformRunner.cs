using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PartnerBot.Api.Deployments.Runners.Isolation;

namespace PartnerBot.Api.Deployments.Runners;

/// <summary>
/// Runs the Terraform CLI (or <c>Deployments:Local:Command</c>, e.g. <c>tofu</c>) on this machine, in a work folder per
/// deployment that keeps the module source and the local state between apply, update and destroy. How the CLI is
/// launched (policy check, sandbox, environment, interrupt on cancel) is <see cref="TerraformLauncher"/>'s job.
/// </summary>
public sealed class LocalTerraformRunner(DeploymentWorkFolders folders, TerraformLauncher launcher, ILogger<LocalTerraformRunner> logger)
    : IDeploymentRunner
{
    public const string VariablesFile = "terraform.tfvars.json";

    public string Name => "Local";

    public static string MissingBinaryMessage(string command) =>
        $"{command} was not found on PATH; install Terraform or OpenTofu, or configure the GitHubActions runner";

    public async Task<RunOutcome> RunAsync(RunRequest request, IRunObserver observer, CancellationToken ct)
    {
        var workFolder = folders.For(request.PartnerId, request.DeploymentId);
        var prepared = await launcher.PrepareAsync(request, workFolder, observer, ct);
        if (prepared.Refusal is { } refusal) return refusal;
        var process = prepared.Process!;

        WriteModule(workFolder, request.Files);
        var variablesPath = Path.Combine(workFolder, VariablesFile);
        await WriteVariablesAsync(variablesPath, request.Variables, ct);
        try
        {
            var init = await process.RunAsync(["init", "-input=false", "-no-color"], ct);
            if (init.ExitCode != 0) return Failed("init", init);

            if (request.Action == DeploymentAction.Destroy)
            {
                var destroy = await process.RunAsync(["destroy", "-auto-approve", "-input=false", "-no-color"], ct);
                return destroy.ExitCode == 0 ? new RunOutcome(RunResult.Succeeded, "Destroyed.") : Failed("destroy", destroy);
            }

            var apply = await process.RunAsync(["apply", "-auto-approve", "-input=false", "-no-color"], ct);
            if (apply.ExitCode != 0) return Failed("apply", apply);

            var output = await process.RunAsync(["output", "-json", "-no-color"], ct, captureStandardOutput: true);
            if (output.ExitCode != 0) return Failed("output", output);
            return new RunOutcome(RunResult.Succeeded, "Applied.", ParseOutputs(output.StandardOutput));
        }
        finally
        {
            // Secrets stay on disk only while the CLI runs; state is kept for the next update or destroy.
            try { File.Delete(variablesPath); }
            catch (IOException e) { logger.LogWarning(e, "Could not remove the variables file of deployment {DeploymentId}.", request.DeploymentId); }
        }
    }

    private static RunOutcome Failed(string step, ProcessResult result)
    {
        var reason = result.LastError is { Length: > 0 } error ? ": " + error : "";
        return RunOutcome.Failed($"terraform {step} failed (exit code {result.ExitCode}){reason}");
    }

    private static void WriteModule(string workFolder, IReadOnlyDictionary<string, string> files)
    {
        Directory.CreateDirectory(workFolder);
        var names = files.Keys.Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in Directory.EnumerateFiles(workFolder)
                     .Where(f => (f.EndsWith(".tf", StringComparison.Ordinal) || f.EndsWith(".tf.json", StringComparison.Ordinal))
                                 && !names.Contains(Path.GetFileName(f))))
            File.Delete(stale);
        foreach (var (name, content) in files)
        {
            var fileName = Path.GetFileName(name);
            if (string.IsNullOrEmpty(fileName) || fileName == VariablesFile) continue;
            File.WriteAllText(Path.Combine(workFolder, fileName), content);
        }
    }

    private static async Task WriteVariablesAsync(string path, JsonObject variables, CancellationToken ct)
    {
        var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using var stream = new FileStream(path, streamOptions);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(variables.ToJsonString()), ct);
    }

    /// <summary>Reads <c>terraform output -json</c>: <c>{ name: { sensitive, type, value } }</c>.</summary>
    public static Dictionary<string, DeploymentOutput> ParseOutputs(string json)
    {
        var outputs = new Dictionary<string, DeploymentOutput>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json)) return outputs;
        if (JsonNode.Parse(json) is not JsonObject root) return outputs;
        foreach (var (name, node) in root)
        {
            if (node is not JsonObject output) continue;
            var sensitive = output["sensitive"] is JsonValue flag && flag.TryGetValue<bool>(out var isSensitive) && isSensitive;
            outputs[name] = new DeploymentOutput(output["value"]?.DeepClone(), sensitive, output["type"]?.DeepClone());
        }
        return outputs;
    }
}
