using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Bot.Hosting;

using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Deployments.State;

/// <summary>
/// The real host (<see cref="BotHost.Build"/>) on 127.0.0.1 over a temporary SQLite file, with the built-in state
/// backend reachable at its bound address and <c>Deployments:MaxStateBytes</c> at 2 MB.
/// </summary>
public class StateBackendHost : IAsyncLifetime
{
    public const long MaxStateBytes = 2 * 1024 * 1024;
    private readonly long? _maxStateBytes;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "state-" + Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;

    public StateBackendHost() : this(MaxStateBytes)
    {
    }

    /// <param name="maxStateBytes">null leaves <c>Deployments:MaxStateBytes</c> at its default.</param>
    protected StateBackendHost(long? maxStateBytes) => _maxStateBytes = maxStateBytes;

    public string DatabasePath => Path.Combine(_folder, "partnerbot.db");
    public Uri BaseAddress { get; private set; } = null!;
    public IServiceProvider Services => _app.Services;
    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        for (var attempt = 0; ; attempt++)
        {
            // The backend address must be known before start (runs get it from configuration): take a free port.
            var port = LoopbackPorts.Free();
            BaseAddress = new Uri($"http://127.0.0.1:{port}");
            _app = BotHost.Build(["--urls", BaseAddress.ToString().TrimEnd('/')], builder =>
            {
                var settings = new Dictionary<string, string?>
                {
                    ["Storage:Provider"] = "Sqlite",
                    ["Storage:Sqlite:Path"] = DatabasePath,
                    ["Catalog:Path"] = DeploymentHarness.TestCatalogFolder,
                    ["Deployments:Local:WorkRoot"] = Path.Combine(_folder, "work"),
                    ["Deployments:Backend:BaseUrl"] = BaseAddress.ToString(),
                };
                if (_maxStateBytes is { } max) settings["Deployments:MaxStateBytes"] = max.ToString();
                builder.Configuration.AddInMemoryCollection(settings);
            });
            try
            {
                await _app.StartAsync();
                return;
            }
            catch (IOException) when (attempt < 5)
            {
                await _app.DisposeAsync();
            }
        }
    }


    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A deployment record the state belongs to; with <paramref name="lease"/> it is being run right now.</summary>
    public async Task<string> CreateDeploymentAsync(DeploymentLease? lease = null, int builds = 1)
    {
        var id = "dep-" + Guid.NewGuid().ToString("N")[..12];
        var now = DateTimeOffset.UtcNow;
        await Get<DeploymentRepository>().CreateAsync(new Deployment
        {
            Id = id,
            PartnerId = "partner-" + id,
            CreatedBy = "user-1",
            Module = new ModuleReference("Tiny", "platform"),
            State = lease is null ? DeploymentState.Success : DeploymentState.Working,
            Lease = lease,
            Builds = [.. Enumerable.Range(1, builds).Select(n => new DeploymentBuild(n, DeploymentAction.Apply, "Local", now))],
            CreatedAt = now,
            CreatedAtMs = now.ToUnixTimeMilliseconds(),
        });
        return id;
    }

    /// <summary>Records a settled deployment with this id unless there is one.</summary>
    public async Task EnsureDeploymentAsync(string deploymentId, string partnerId)
    {
        var repository = Get<DeploymentRepository>();
        if (await repository.FindAsync(deploymentId) is not null) return;
        var now = DateTimeOffset.UtcNow;
        try
        {
            await repository.CreateAsync(new Deployment
            {
                Id = deploymentId,
                PartnerId = partnerId,
                CreatedBy = "user-1",
                Module = new ModuleReference("Tiny", "platform"),
                State = DeploymentState.Success,
                Builds = [new DeploymentBuild(1, DeploymentAction.Apply, "Local", now)],
                CreatedAt = now,
                CreatedAtMs = now.ToUnixTimeMilliseconds(),
            });
        }
        catch (Exception)
        {
            // Another test may have recorded it first; anything else is an error.
            if (await repository.FindAsync(deploymentId) is null) throw;
        }
    }

    /// <summary>A client that sends <paramref name="deploymentId"/>'s own credentials (or the given ones).</summary>
    public async Task<HttpClient> ClientAsync(string deploymentId, string? user = null, string? password = null)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        password ??= await Get<TerraformStateCredentials>().PasswordAsync(deploymentId);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes((user ?? TerraformStateCredentials.UserName) + ":" + password)));
        return http;
    }

    public static string StatePath(string deploymentId) => "/api/terraform/state/" + deploymentId;
}

/// <summary>The same host with <c>Deployments:MaxStateBytes</c> at its default (32 MB).</summary>
public sealed class DefaultLimitStateBackendHost() : StateBackendHost(null);

/// <summary>The real Terraform CLI in a work folder, configured by <see cref="TerraformBackendSetup"/> as a run would be.</summary>
public sealed class TerraformWorkFolder : IDisposable
{
    public const string Module = """
        variable "marker" {
          type = string
        }

        variable "gate" {
          type    = string
          default = ""
        }

        resource "terraform_data" "item" {
          count = 3
          input = "${var.marker}-${count.index}"
        }

        # Holds the run (and so the state lock) until the gate file appears.
        resource "terraform_data" "gate" {
          count = var.gate == "" ? 0 : 1
          provisioner "local-exec" {
            command = "while [ ! -f '${var.gate}' ]; do sleep 0.2; done"
          }
        }

        output "marker" {
          value = var.marker
        }
        """;

    private readonly TerraformBackendSetup _setup;

    private TerraformWorkFolder(string folder, TerraformBackendSetup setup)
    {
        Folder = folder;
        _setup = setup;
    }

    public string Folder { get; }

    public static async Task<TerraformWorkFolder> CreateAsync(TerraformBackendSetup setup)
    {
        var folder = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "tf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "main.tf"), Module);
        await setup.WriteOverrideFileAsync(folder);
        return new TerraformWorkFolder(folder, setup);
    }

    public Task<TerraformResult> InitAsync() => RunAsync(["init", "-input=false", "-no-color", .. _setup.InitArguments]);

    public Task<TerraformResult> ApplyAsync(string marker, string? gate = null, params string[] extra) =>
        RunAsync(["apply", "-auto-approve", "-input=false", "-no-color", "-var", "marker=" + marker, "-var", "gate=" + (gate ?? ""), .. extra]);

    public Task<TerraformResult> DestroyAsync(string marker) =>
        RunAsync(["destroy", "-auto-approve", "-input=false", "-no-color", "-var", "marker=" + marker]);

    public Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(RealTerraform.Path!)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["TF_IN_AUTOMATION"] = "1";
        start.Environment["TF_INPUT"] = "0";
        start.Environment["CHECKPOINT_DISABLE"] = "1";
        foreach (var (name, value) in _setup.Environment) start.Environment[name] = value;
        return Process.Start(start) ?? throw new InvalidOperationException("terraform did not start.");
    }

    public async Task<TerraformResult> RunAsync(string[] arguments)
    {
        using var process = Start(arguments);
        return await CompleteAsync(process);
    }

    public static async Task<TerraformResult> CompleteAsync(Process process)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new TerraformResult(process.ExitCode, await output, await error);
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public sealed record TerraformResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}
