using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PartnerBot.Api.Deployments.Runners.Isolation;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Api.Modules;

namespace PartnerBot.Api.Deployments.Runners;

/// <summary>
/// Runs the Terraform CLI (or <c>Deployments:Local:Command</c>, e.g. <c>tofu</c>) on this machine, one step at a time:
/// plan to a saved plan file, or apply a saved plan, in a fresh work folder written from the pinned module files. The state
/// lives in the deployment's backend (<see cref="TerraformBackendConfiguration"/>), so the folder is deleted after every
/// step: no state, variables or plan file stays on the host. A state lock left by a run whose lease is gone is released
/// first; one held by a live run refuses the step. How the CLI is launched (policy check, sandbox, environment, interrupt on cancel) is <see cref="TerraformLauncher"/>'s job.
/// </summary>
public sealed class LocalTerraformRunner(DeploymentWorkFolders folders, TerraformLauncher launcher, TerraformBackendConfiguration backends,
    TerraformStateLockRecovery locks, TerraformStateStore states, ILogger<LocalTerraformRunner> logger)
    : IDeploymentRunner
{
    public const string VariablesFile = "terraform.tfvars.json";

    public string Name => "Local";

    public static string MissingBinaryMessage(string command) =>
        $"{command} was not found on PATH; install Terraform or OpenTofu, or configure the GitHubActions runner";

    public bool SavesPlans => true;

    public async Task<RunOutcome> RunAsync(RunRequest request, IRunObserver observer, CancellationToken ct)
    {
        var lockCheck = await locks.ReleaseIfStaleAsync(request.DeploymentId, ct);
        if (lockCheck.Status != StaleLockStatus.NotLocked) await observer.LogAsync(lockCheck.Message, ct);
        if (!lockCheck.MayRun) return RunOutcome.Failed(lockCheck.Message);

        var backend = await backends.ForLocalRunAsync(request.DeploymentId, ct);
        var workFolder = folders.For(request.PartnerId, request.DeploymentId);
        var hostState = await TakeHostStateAsync(workFolder, request.DeploymentId, backend, ct);
        DeleteFolder(workFolder, request.DeploymentId); // whatever a killed run left behind
        try
        {
            var prepared = await launcher.PrepareAsync(request, workFolder, observer, ct, backend.Environment, remoteBackend: true);
            if (prepared.Refusal is { } refusal) return refusal;
            var process = prepared.Process!;

            WriteModule(workFolder, request.Files);
            await backend.WriteOverrideFileAsync(workFolder, ct);
            if (hostState is not null)
            {
                // A deployment made before state moved to the backend: its state goes there first, then the folder goes.
                await WriteSecretFileAsync(Path.Combine(workFolder, HostStateFile), hostState, ct);
                var migrate = await process.RunAsync(["init", "-input=false", "-no-color", "-migrate-state", "-force-copy", .. backend.InitArguments], ct);
                if (migrate.ExitCode != 0) return Failed("init", migrate);
                File.Delete(Path.Combine(workFolder, HostStateFile));
                await observer.LogAsync("Moved the Terraform state kept on this host into the deployment's state backend.", ct);
            }
            // Values go in through the variables file for a plan (and a one-step run); a saved plan carries its own.
            if (request.SavedPlan is null)
                await WriteSecretFileAsync(Path.Combine(workFolder, VariablesFile), Encoding.UTF8.GetBytes(request.Variables.ToJsonString()), ct);
            else await WriteSecretFileAsync(Path.Combine(workFolder, PlanFile), request.SavedPlan, ct);

            var init = await process.RunAsync(["init", "-input=false", "-no-color", .. backend.InitArguments], ct);
            if (init.ExitCode != 0) return Failed("init", init);
            var planPath = Path.Combine(workFolder, PlanFile);

            return request.Step switch
            {
                RunStep.Plan or RunStep.PlanDestroy => await PlanAsync(process, planPath, request.Step == RunStep.PlanDestroy, ct),
                RunStep.Destroy when request.SavedPlan is null => await DestroyUnplannedAsync(process, ct),
                RunStep.Destroy => await ApplySavedAsync(process, "Destroyed.", ct),
                _ when request.SavedPlan is null => await ApplyUnplannedAsync(process, ct),
                _ => await ApplySavedAsync(process, "Applied.", ct),
            };
        }
        finally
        {
            // The folder is disposable: module copy, variables, plan file and Terraform's own files go with it.
            DeleteFolder(workFolder, request.DeploymentId);
        }
    }

    /// <summary>Terraform's local state file, as work folders held it before state lived in the backend.</summary>
    public const string HostStateFile = "terraform.tfstate";

    /// <summary>
    /// The state a work folder still holds from before state lived in the backend, when the backend has none yet for
    /// this deployment; null otherwise (the folder's copy is then an outdated leftover).
    /// </summary>
    private async Task<byte[]?> TakeHostStateAsync(string workFolder, string deploymentId, TerraformBackendSetup backend, CancellationToken ct)
    {
        var path = Path.Combine(workFolder, HostStateFile);
        if (!File.Exists(path)) return null;
        if (backend.Kind == TerraformBackendKind.Http && (await states.GetHeadAsync(deploymentId, ct)).Current is not null) return null;
        var content = await File.ReadAllBytesAsync(path, ct);
        return content.Length == 0 ? null : content;
    }

    private void DeleteFolder(string workFolder, string deploymentId)
    {
        if (!Directory.Exists(workFolder)) return;
        try { Directory.Delete(workFolder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "Could not remove the work folder of deployment {DeploymentId}; removing its secret files.", deploymentId);
            foreach (var secret in new[] { VariablesFile, PlanFile })
            {
                try { File.Delete(Path.Combine(workFolder, secret)); }
                catch (Exception inner) when (inner is IOException or UnauthorizedAccessException) { }
            }
        }
    }

    public const string PlanFile = "partnerbot.tfplan";

    private static async Task<RunOutcome> PlanAsync(TerraformProcess process, string planPath, bool destroy, CancellationToken ct)
    {
        string[] arguments = destroy
            ? ["plan", "-destroy", "-out=" + PlanFile, "-detailed-exitcode", "-input=false", "-no-color"]
            : ["plan", "-out=" + PlanFile, "-detailed-exitcode", "-input=false", "-no-color"];
        var plan = await process.RunAsync(arguments, ct);
        // -detailed-exitcode: 0 = no changes, 2 = changes, anything else = error.
        if (plan.ExitCode is not (0 or 2)) return Failed("plan", plan);

        var show = await process.RunAsync(["show", "-json", "-no-color", PlanFile], ct, captureStandardOutput: true);
        if (show.ExitCode != 0) return Failed("show", show);
        var summary = PlanJson.Summarize(show.StandardOutput);
        var content = await File.ReadAllBytesAsync(planPath, ct);
        return new RunOutcome(RunResult.Succeeded, "Planned: " + summary.Text + ".") { Plan = new SavedPlanFile(content, summary) };
    }

    private static async Task<RunOutcome> ApplySavedAsync(TerraformProcess process, string done, CancellationToken ct)
    {
        var apply = await process.RunAsync(["apply", "-input=false", "-no-color", PlanFile], ct);
        if (apply.ExitCode != 0)
            return IsStale(apply)
                ? new RunOutcome(RunResult.Stale, "The plan is stale: the state changed after it was made, so nothing was applied. Plan again.")
                : Failed("apply", apply);
        return await WithOutputsAsync(process, done, ct);
    }

    private static async Task<RunOutcome> ApplyUnplannedAsync(TerraformProcess process, CancellationToken ct)
    {
        var apply = await process.RunAsync(["apply", "-auto-approve", "-input=false", "-no-color"], ct);
        if (apply.ExitCode != 0) return Failed("apply", apply);
        return await WithOutputsAsync(process, "Applied.", ct);
    }

    private static async Task<RunOutcome> DestroyUnplannedAsync(TerraformProcess process, CancellationToken ct)
    {
        var destroy = await process.RunAsync(["destroy", "-auto-approve", "-input=false", "-no-color"], ct);
        return destroy.ExitCode == 0 ? new RunOutcome(RunResult.Succeeded, "Destroyed.") : Failed("destroy", destroy);
    }

    private static async Task<RunOutcome> WithOutputsAsync(TerraformProcess process, string done, CancellationToken ct)
    {
        var output = await process.RunAsync(["output", "-json", "-no-color"], ct, captureStandardOutput: true);
        if (output.ExitCode != 0) return Failed("output", output);
        return new RunOutcome(RunResult.Succeeded, done, ParseOutputs(output.StandardOutput));
    }

    private static bool IsStale(ProcessResult result) =>
        result.LastError?.Contains("Saved plan is stale", StringComparison.OrdinalIgnoreCase) == true;

    private static RunOutcome Failed(string step, ProcessResult result)
    {
        if (result.LastError?.Contains("Error acquiring the state lock", StringComparison.OrdinalIgnoreCase) == true)
            return RunOutcome.Failed(
                $"terraform {step} was refused: another run of this deployment holds its state lock. Nothing was changed; try again once that run has finished.");
        var reason = result.LastError is { Length: > 0 } error ? ": " + error : "";
        return RunOutcome.Failed($"terraform {step} failed (exit code {result.ExitCode}){reason}");
    }

    /// <summary>Writes the module's files (sub-folders included) and removes files a previous version had.</summary>
    private static void WriteModule(string workFolder, IReadOnlyDictionary<string, string> files)
    {
        Directory.CreateDirectory(workFolder);
        var root = Path.GetFullPath(workFolder) + Path.DirectorySeparatorChar;
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, content) in files)
        {
            var relative = name.Replace('\\', '/');
            if (!ModuleFiles.IsModulePath(relative) || relative is VariablesFile or PlanFile) continue;
            var target = Path.GetFullPath(Path.Combine(workFolder, relative));
            if (!target.StartsWith(root, StringComparison.Ordinal)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, content);
            wanted.Add(target);
        }
        foreach (var stale in Directory.EnumerateFiles(workFolder, "*", SearchOption.AllDirectories)
                     .Where(f => ModuleFiles.IsModulePath(Path.GetRelativePath(workFolder, f).Replace(Path.DirectorySeparatorChar, '/'))
                                 && !wanted.Contains(Path.GetFullPath(f))
                                 && Path.GetFileName(f) is not (".terraform.lock.hcl" or VariablesFile or PlanFile)))
            File.Delete(stale);
    }

    private static async Task WriteSecretFileAsync(string path, byte[] content, CancellationToken ct)
    {
        var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using var stream = new FileStream(path, streamOptions);
        await stream.WriteAsync(content, ct);
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
