using System.Diagnostics;
using System.Net;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Protection;

/// <summary>The built executable started outside Development as an operator starts it, with and without the key ring certificate.</summary>
public sealed class KeyRingStartupTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("partnerbot-keyring-start-");

    public void Dispose()
    {
        try { _folder.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task Outside_development_without_a_certificate_the_host_exits_with_one_line_naming_the_key()
    {
        using var process = Start(LoopbackPorts.Free(), certificate: null);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the host started without a key ring certificate");
        }
        Assert.NotEqual(0, process.ExitCode);
        var line = Assert.Single((await error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Configuration error: DataProtection:Certificate:Path is required outside Development", line);
        Assert.DoesNotContain("   at ", await output + line);
    }

    [Fact]
    public async Task Outside_development_with_a_certificate_the_host_serves()
    {
        var port = LoopbackPorts.Free();
        using var process = Start(port, TestKeyRingCertificate.Create(_folder.FullName, "start-password"));
        await PartnerBot.Tests.Hosting.BuiltHostProcess.AssertServesHealthzAsync(process, port);
    }

    private Process Start(int port, KeyRingCertificateFile? certificate)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "partnerbot.dll"), "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["PublicBaseUrl"] = "https://bot.example.com";
        start.Environment["Storage__Sqlite__Path"] = Path.Combine(_folder.FullName, "partnerbot.db");
        start.Environment["Deployments__Local__WorkRoot"] = Path.Combine(_folder.FullName, "work");
        start.Environment.Remove(TestKeyRingCertificate.PathVariable);
        start.Environment.Remove(TestKeyRingCertificate.PasswordVariable);
        if (certificate is not null)
        {
            start.Environment[TestKeyRingCertificate.PathVariable] = certificate.Path;
            start.Environment[TestKeyRingCertificate.PasswordVariable] = certificate.Password;
        }
        return Process.Start(start)!;
    }
}
