using System.Diagnostics;
using System.Net;

namespace PartnerBot.Tests.Hosting;

/// <summary>The built executable started as an operator starts it: waits until it serves <c>/healthz</c>, then stops it.</summary>
internal static class BuiltHostProcess
{
    /// <summary>Fails when the host exits or does not answer within three minutes; always kills the process.</summary>
    public static async Task AssertServesHealthzAsync(Process process, int port)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            while (true)
            {
                if (process.HasExited) Assert.Fail($"the host stopped (exit {process.ExitCode}): {await error}");
                try
                {
                    using var response = await http.GetAsync($"http://127.0.0.1:{port}/healthz");
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    return;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(250);
                }
            }
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            _ = await output;
        }
    }
}
