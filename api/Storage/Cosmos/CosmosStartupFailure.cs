using System.Net;
using Microsoft.Azure.Cosmos;

namespace PartnerBot.Api.Storage.Cosmos;

/// <summary>The one line printed when Cosmos DB cannot be prepared at start-up: the endpoint, what happened, what to check.</summary>
internal static class CosmosStartupFailure
{
    public static string Describe(CosmosStorageOptions options, Exception failure)
    {
        var endpoint = options.AccountEndpoint() ?? "the configured endpoint";
        var what = Innermost(failure) switch
        {
            CosmosException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } e =>
                $"refused the account key ({(int)e.StatusCode} {e.StatusCode})",
            CosmosException e => $"answered {(int)e.StatusCode} {e.StatusCode}",
            HttpRequestException { Message: var message } => $"could not be reached ({OneLine(message)})",
            System.Net.Sockets.SocketException { Message: var message } => $"could not be reached ({OneLine(message)})",
            _ => $"did not answer within {options.StartupTimeout.TotalSeconds:0.#} s",
        };
        return $"Cosmos DB at {endpoint} {what}. Check Storage:Cosmos:ConnectionString; for the emulator or a local test server " +
               "set Storage:Cosmos:ConnectionMode=Gateway and Storage:Cosmos:LimitToEndpoint=true.";
    }

    /// <summary>The most telling exception: a status from the service, else a transport error, else the failure itself.</summary>
    private static Exception Innermost(Exception failure)
    {
        Exception? transport = null;
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            if (e is CosmosException { StatusCode: not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout) }) return e;
            if (transport is null && e is HttpRequestException or System.Net.Sockets.SocketException) transport = e;
        }
        return transport ?? failure;
    }

    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length <= 160 ? line : line[..157] + "...";
    }
}
