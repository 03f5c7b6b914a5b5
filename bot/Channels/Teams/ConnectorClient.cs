using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Serialization.Metadata;
using PartnerBot.Bot.Channels.BotFramework;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>A Connector call that failed for good (after retries), or went to an untrusted service URL.</summary>
public sealed class ConnectorException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>
/// Bot → channel calls of the Bot Connector REST API v3 (PROTOCOLS 3.2), relative to an activity's serviceUrl.
/// Only trusted service URLs get the bot's token; conversation and activity ids are URL-encoded.
/// </summary>
public sealed class ConnectorClient(IHttpClientFactory httpFactory, BotTokenProvider tokens, TrustedServiceUrls trusted,
    ConnectorRetryPolicy retry, ILogger<ConnectorClient> log)
{
    public const string HttpClientName = "PartnerBot.Teams.Connector";

    public async Task<ResourceResponse> SendToConversationAsync(string serviceUrl, string conversationId, Activity activity, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, serviceUrl, $"v3/conversations/{Esc(conversationId)}/activities", activity,
            BotFrameworkJsonContext.Default.Activity, BotFrameworkJsonContext.Default.ResourceResponse, ct)
        ?? new ResourceResponse(null);

    public async Task<ResourceResponse> ReplyToActivityAsync(string serviceUrl, string conversationId, string activityId, Activity activity, CancellationToken ct = default)
    {
        activity.ReplyToId ??= activityId;
        return await SendAsync(HttpMethod.Post, serviceUrl, $"v3/conversations/{Esc(conversationId)}/activities/{Esc(activityId)}", activity,
                   BotFrameworkJsonContext.Default.Activity, BotFrameworkJsonContext.Default.ResourceResponse, ct)
               ?? new ResourceResponse(null);
    }

    public async Task<ResourceResponse> UpdateActivityAsync(string serviceUrl, string conversationId, string activityId, Activity activity, CancellationToken ct = default)
    {
        activity.Id = activityId;
        return await SendAsync(HttpMethod.Put, serviceUrl, $"v3/conversations/{Esc(conversationId)}/activities/{Esc(activityId)}", activity,
                   BotFrameworkJsonContext.Default.Activity, BotFrameworkJsonContext.Default.ResourceResponse, ct)
               ?? new ResourceResponse(activityId);
    }

    public Task DeleteActivityAsync(string serviceUrl, string conversationId, string activityId, CancellationToken ct = default) =>
        SendAsync<Activity, ResourceResponse>(HttpMethod.Delete, serviceUrl, $"v3/conversations/{Esc(conversationId)}/activities/{Esc(activityId)}",
            null, null, null, ct);

    public async Task<ConversationResourceResponse> CreateConversationAsync(string serviceUrl, ConversationParameters parameters, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, serviceUrl, "v3/conversations", parameters,
            BotFrameworkJsonContext.Default.ConversationParameters, BotFrameworkJsonContext.Default.ConversationResourceResponse, ct)
        ?? throw new ConnectorException(502, "EmptyResponse", "The Connector did not return the new conversation.");

    public async Task<IReadOnlyList<ChannelAccount>> GetConversationMembersAsync(string serviceUrl, string conversationId, CancellationToken ct = default) =>
        await SendAsync<Activity, List<ChannelAccount>>(HttpMethod.Get, serviceUrl, $"v3/conversations/{Esc(conversationId)}/members",
            null, null, BotFrameworkJsonContext.Default.ListChannelAccount, ct)
        ?? [];

    private static string Esc(string id) => Uri.EscapeDataString(id);

    private async Task<TResponse?> SendAsync<TBody, TResponse>(HttpMethod method, string serviceUrl, string relative, TBody? body,
        JsonTypeInfo<TBody>? bodyType, JsonTypeInfo<TResponse>? responseType, CancellationToken ct)
        where TResponse : class
    {
        if (!await trusted.IsTrustedAsync(serviceUrl, ct))
            throw new ConnectorException(403, "UntrustedServiceUrl", "The service URL was not seen on an authenticated activity.");
        var baseUri = new Uri(serviceUrl.EndsWith('/') ? serviceUrl : serviceUrl + "/");
        var uri = new Uri(baseUri, relative);
        var refreshedToken = false;
        // Written once for every attempt, and sent with its length rather than chunked.
        var json = body is not null && bodyType is not null ? System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body, bodyType) : null;

        while (true)
        {
            var token = await tokens.GetTokenAsync(ct);
            using var response = await retry.SendAsync(() =>
            {
                var request = new HttpRequestMessage(method, uri);
                if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                if (json is not null) request.Content = new ByteArrayContent(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/json", "utf-8") } };
                return request;
            }, httpFactory.CreateClient(HttpClientName), ct);

            if (response.StatusCode == HttpStatusCode.Unauthorized && token is not null && !refreshedToken)
            {
                // A token revoked or rotated early: fetch a fresh one once.
                tokens.Invalidate();
                refreshedToken = true;
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                var error = await ReadErrorAsync(response, ct);
                log.LogWarning("Connector {Method} {Path} failed with {Status} {Code}", method, uri.AbsolutePath, (int)response.StatusCode, error?.Code);
                throw new ConnectorException((int)response.StatusCode, error?.Code ?? "ConnectorError",
                    error?.Message ?? $"The Connector answered {(int)response.StatusCode}.");
            }
            if (responseType is null || response.Content.Headers.ContentLength == 0) return null;
            // Read as the UTF-8 it arrives in, not decoded to a string first.
            ReadOnlySpan<byte> answer = await response.Content.ReadAsByteArrayAsync(ct);
            if (answer.StartsWith("\uFEFF"u8)) answer = answer[3..];
            answer = answer.Trim(" \t\r\n"u8);
            return answer.IsEmpty ? null : System.Text.Json.JsonSerializer.Deserialize(answer, responseType);
        }
    }

    private static async Task<ConnectorError?> ReadErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            return string.IsNullOrWhiteSpace(text) ? null
                : System.Text.Json.JsonSerializer.Deserialize(text, BotFrameworkJsonContext.Default.ErrorResponse)?.Error;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Retries Connector calls on 429, 412, 500, 502, 503 and 504 (PROTOCOLS 1.7), waiting for <c>Retry-After</c> when
/// the service sends one (capped) and otherwise backing off exponentially with jitter.
/// </summary>
public sealed class ConnectorRetryPolicy(TimeProvider time)
{
    public int MaxRetries { get; init; } = 3;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> createRequest, HttpClient http, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = createRequest();
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, ct);
            }
            catch (HttpRequestException) when (attempt < MaxRetries)
            {
                await Task.Delay(Backoff(attempt), time, ct);
                continue;
            }
            if (attempt >= MaxRetries || !IsTransient(response.StatusCode)) return response;
            var delay = RetryAfter(response) ?? Backoff(attempt);
            response.Dispose();
            await Task.Delay(delay, time, ct);
        }
    }

    internal static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests
        or HttpStatusCode.PreconditionFailed or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
        or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? wait = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        if (wait is null) return null;
        if (wait < TimeSpan.Zero) return TimeSpan.Zero;
        return wait > MaxDelay ? MaxDelay : wait;
    }

    private TimeSpan Backoff(int attempt)
    {
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, attempt);
        var jitter = Random.Shared.NextDouble() * BaseDelay.TotalMilliseconds;
        return TimeSpan.FromMilliseconds(Math.Min(exponential + jitter, MaxDelay.TotalMilliseconds));
    }
}
