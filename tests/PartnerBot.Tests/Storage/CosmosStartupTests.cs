using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Storage;

/// <summary>The host started as a user starts it, pointed at a Cosmos DB endpoint nobody listens on.</summary>
public sealed class CosmosStartupTests
{

    private static async Task<(int ExitCode, string Output, string Error, string AccountKey)> RunHostAsync(string endpoint, string connectionMode)
    {
        var accountKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "partnerbot.dll") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Storage__Provider"] = "Cosmos";
        start.Environment["Storage__Cosmos__ConnectionString"] = $"AccountEndpoint={endpoint};AccountKey={accountKey};";
        start.Environment["Storage__Cosmos__ConnectionMode"] = connectionMode;

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            // Generous for a loaded machine; the host itself gives up after Storage:Cosmos:StartupTimeout (10 s).
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the host kept waiting for an unreachable Cosmos DB account");
        }
        return (process.ExitCode, await output, await error, accountKey);
    }

    private static string OneLineNamingTheEndpoint(string endpoint, (int ExitCode, string Output, string Error, string AccountKey) run)
    {
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"Storage error: Cosmos DB at {endpoint} ", line);
        Assert.Contains("Storage:Cosmos:ConnectionMode=Gateway", line);
        Assert.Contains("Storage:Cosmos:LimitToEndpoint=true", line);
        Assert.DoesNotContain("   at ", run.Output + run.Error);
        Assert.DoesNotContain(run.AccountKey, run.Output + run.Error);
        return line;
    }

    [Theory]
    [InlineData("Direct")]
    [InlineData("Gateway")]
    public async Task A_closed_port_stops_the_host_with_one_line_naming_the_endpoint(string connectionMode)
    {
        var endpoint = $"https://127.0.0.1:{LoopbackPorts.Free()}/";
        var line = OneLineNamingTheEndpoint(endpoint, await RunHostAsync(endpoint, connectionMode));
        Assert.Contains("could not be reached", line);
    }

    [Fact]
    public async Task An_endpoint_that_never_answers_stops_the_host_after_the_start_up_timeout()
    {
        // Accepts connections (the operating system completes them) but never speaks TLS or HTTP.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var endpoint = $"https://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/";
            var line = OneLineNamingTheEndpoint(endpoint, await RunHostAsync(endpoint, "Direct"));
            Assert.Contains("did not answer within 10 s", line);
        }
        finally
        {
            silent.Stop();
        }
    }
}
