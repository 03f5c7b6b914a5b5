using System.Text;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.State;

namespace PartnerBot.Tests.Deployments.State;

/// <summary>The real Terraform CLI against the built-in http backend of a running host.</summary>
public sealed class TerraformStateBackendTests(StateBackendHost host) : IClassFixture<StateBackendHost>
{
    private TerraformBackendConfiguration Backends => host.Get<TerraformBackendConfiguration>();
    private TerraformStateStore States => host.Get<TerraformStateStore>();

    private async Task<TerraformWorkFolder> InitializedFolderAsync(string deploymentId)
    {
        var folder = await TerraformWorkFolder.CreateAsync(await Backends.ForDeploymentAsync(deploymentId));
        var init = await folder.InitAsync();
        Assert.True(init.ExitCode == 0, init.ToString());
        return folder;
    }

    private static byte[] ReadAllShared(string path)
    {
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(200);
        }
        throw new TimeoutException("Still waiting for " + what + ".");
    }

    [TerraformFact]
    public async Task Apply_keeps_the_state_encrypted_in_the_store_and_a_destroy_from_an_empty_folder_finds_it()
    {
        var deployment = await host.CreateDeploymentAsync();
        var marker = "marker-" + Guid.NewGuid().ToString("N");

        using (var first = await InitializedFolderAsync(deployment))
        {
            var apply = await first.ApplyAsync(marker);
            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Contains("Apply complete! Resources: 3 added", apply.Output);
            Assert.False(File.Exists(Path.Combine(first.Folder, "terraform.tfstate")), "the state must not stay in the work folder");
        }

        var stored = await States.ReadAsync(deployment);
        Assert.NotNull(stored);
        Assert.Equal((1, 3), (stored.Version.Resources, stored.Version.Instances));
        Assert.Contains(marker, Encoding.UTF8.GetString(stored.Json), StringComparison.Ordinal);
        var head = await States.GetHeadAsync(deployment);
        Assert.True(head.Version >= 1);
        Assert.Equal(stored.Version.Serial, head.Current!.Serial);
        var markerBytes = Encoding.UTF8.GetBytes(marker);
        Assert.True(File.Exists(host.DatabasePath));
        var raw = ReadAllShared(host.DatabasePath).Concat(ReadAllShared(host.DatabasePath + "-wal")).ToArray();
        // The files are read for real: the deployment's id is there in clear, its state is not.
        Assert.True(raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes(deployment)) >= 0, "the raw store files do not hold the deployment");
        Assert.True(raw.AsSpan().IndexOf(markerBytes) < 0, "the raw store files hold the state in clear");
        Assert.Null(await States.GetLockAsync(deployment));

        using var second = await InitializedFolderAsync(deployment);
        var destroy = await second.DestroyAsync(marker);
        Assert.True(destroy.ExitCode == 0, destroy.ToString());
        Assert.Contains("Destroy complete! Resources: 3 destroyed.", destroy.Output);
        var after = await States.ReadAsync(deployment);
        Assert.Equal(0, after!.Version.Instances);
        Assert.True(after.Version.Version > stored.Version.Version);
    }

    [TerraformFact]
    public async Task A_second_apply_while_the_first_holds_the_lock_fails_naming_the_holder_and_the_live_run_keeps_its_lock()
    {
        var lease = new DeploymentLease("worker-live", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds());
        var deployment = await host.CreateDeploymentAsync(lease, builds: 2);
        using var first = await InitializedFolderAsync(deployment);
        using var second = await InitializedFolderAsync(deployment);
        var gate = Path.Combine(first.Folder, "gate-open");

        using var running = first.Start("apply", "-auto-approve", "-input=false", "-no-color", "-var", "marker=first", "-var", "gate=" + gate);
        var firstDone = TerraformWorkFolder.CompleteAsync(running);
        try
        {
            var held = await EventuallyAsync(() => States.GetLockAsync(deployment), "the first apply's lock");
            Assert.Equal(("worker-live", (int?)2), (held.Holder!.LeaseOwner, held.Holder.Build));

            var refused = await second.ApplyAsync("second", null, "-lock-timeout=0s");
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("Error acquiring the state lock", refused.Error);
            // Terraform wraps its diagnostics to the terminal width.
            var error = System.Text.RegularExpressions.Regex.Replace(refused.Error, @"\s+", " ");
            Assert.True(error.Contains("HTTP remote state already locked: ID=" + held.Info.Id, StringComparison.Ordinal), refused.Error);

            var check = await host.Get<TerraformStateLockRecovery>().ReleaseIfStaleAsync(deployment);
            Assert.Equal(StaleLockStatus.Held, check.Status);
            Assert.False(check.MayRun);
            Assert.Contains("Another run of this deployment is still working", check.Message);
            Assert.Contains(held.Info.Id, check.Message);
            Assert.Equal(held.Info.Id, (await States.GetLockAsync(deployment))!.Info.Id);
        }
        finally
        {
            await File.WriteAllTextAsync(gate, "go");
        }
        var completed = await firstDone;
        Assert.True(completed.ExitCode == 0, completed.ToString());
        Assert.Null(await States.GetLockAsync(deployment));
        Assert.Equal(4, (await States.ReadAsync(deployment))!.Version.Instances);
    }

    [TerraformFact]
    public async Task A_lock_left_by_a_killed_run_is_released_by_the_next_run_of_the_deployment()
    {
        var repository = host.Get<DeploymentRepository>();
        var deployment = await host.CreateDeploymentAsync(
            new DeploymentLease("worker-killed", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds()));
        using var folder = await InitializedFolderAsync(deployment);
        var gate = Path.Combine(folder.Folder, "never-opened");

        using (var doomed = folder.Start("apply", "-auto-approve", "-input=false", "-no-color", "-var", "marker=m", "-var", "gate=" + gate))
        {
            await EventuallyAsync(() => States.GetLockAsync(deployment), "the doomed apply's lock");
            doomed.Kill(entireProcessTree: true);
            await doomed.WaitForExitAsync();
        }
        var left = await States.GetLockAsync(deployment);
        Assert.NotNull(left);

        // The next run claims the deployment: a new lease and build, as the worker does once the old lease lapsed.
        var stored = (await repository.FindAsync(deployment))!;
        await repository.UpdateAsync(stored.Deployment.PartnerId, deployment, d => d with
        {
            Lease = new DeploymentLease("worker-next", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds()),
            Builds = [.. d.Builds, new DeploymentBuild(d.Builds.Count + 1, DeploymentAction.Apply, "Local", DateTimeOffset.UtcNow)],
        });
        var check = await host.Get<TerraformStateLockRecovery>().ReleaseIfStaleAsync(deployment);
        Assert.Equal(StaleLockStatus.Released, check.Status);
        Assert.Equal(left.Info.Id, check.Lock!.Info.Id);
        Assert.Null(await States.GetLockAsync(deployment));

        var apply = await folder.ApplyAsync("m");
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Equal(StaleLockStatus.NotLocked, (await host.Get<TerraformStateLockRecovery>().ReleaseIfStaleAsync(deployment)).Status);
    }
}
