using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PartnerBot.Cards.BlockKit;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>A Web API call that answered <c>ok:false</c> (or could not be completed).</summary>
public sealed class SlackApiException(string method, string error, Exception? inner = null)
    : Exception($"Slack {method} failed: {error}", inner)
{
    public string Method { get; } = method;

    /// <summary>Slack's error code, e.g. <c>channel_not_found</c>, <c>expired_trigger_id</c>, <c>ratelimited</c>.</summary>
    public string Error { get; } = error;
}

/// <summary>
/// The subset of the Slack Web API the bot uses. JSON bodies with the bot token; honours 429 Retry-After and retries
/// 5xx and connection failures with a short, bounded backoff.
/// </summary>
public sealed class SlackWebApiClient(IHttpClientFactory httpClients, IOptionsMonitor<SlackOptions> options, ILogger<SlackWebApiClient> log)
{
    /// <summary>The named <see cref="HttpClient"/> (base address <c>Slack:ApiBaseUrl</c>).</summary>
    public const string HttpClientName = "slack-web-api";

    internal const int MaxAttempts = 4;
    internal static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);

    // The bodies are written straight to UTF-8: blocks and views are written where they are, not copied into a body.
    public Task<JsonObject> PostMessageAsync(string channel, string text, JsonArray? blocks, string? threadTs = null, CancellationToken ct = default) =>
        SendAsync("chat.postMessage", SlackJsonBody.Write([new("channel", channel), new("text", text), new("blocks", blocks), new("thread_ts", threadTs)]), ct);

    public Task<JsonObject> UpdateMessageAsync(string channel, string ts, string text, JsonArray? blocks, CancellationToken ct = default) =>
        SendAsync("chat.update", SlackJsonBody.Write([new("channel", channel), new("ts", ts), new("text", text), new("blocks", blocks)]), ct);

    public Task<JsonObject> PostEphemeralAsync(string channel, string user, string text, JsonArray? blocks, string? threadTs = null, CancellationToken ct = default) =>
        SendAsync("chat.postEphemeral", SlackJsonBody.Write([new("channel", channel), new("user", user), new("text", text), new("blocks", blocks), new("thread_ts", threadTs)]), ct);

    /// <summary>chat.postMessage of a rendered message, its blocks copied into the body as they were written.</summary>
    public Task<JsonObject> PostMessageAsync(string channel, SlackMessage message, string? threadTs = null, CancellationToken ct = default) =>
        SendAsync("chat.postMessage", SlackJsonBody.Write([new("channel", channel), new("text", message.Text), SlackJsonField.Raw("blocks", message.BlocksJson), new("thread_ts", threadTs)]), ct);

    public Task<JsonObject> UpdateMessageAsync(string channel, string ts, SlackMessage message, CancellationToken ct = default) =>
        SendAsync("chat.update", SlackJsonBody.Write([new("channel", channel), new("ts", ts), new("text", message.Text), SlackJsonField.Raw("blocks", message.BlocksJson)]), ct);

    public Task<JsonObject> PostEphemeralAsync(string channel, string user, SlackMessage message, string? threadTs = null, CancellationToken ct = default) =>
        SendAsync("chat.postEphemeral", SlackJsonBody.Write([new("channel", channel), new("user", user), new("text", message.Text), SlackJsonField.Raw("blocks", message.BlocksJson), new("thread_ts", threadTs)]), ct);

    public Task<JsonObject> DeleteMessageAsync(string channel, string ts, CancellationToken ct = default) =>
        SendAsync("chat.delete", SlackJsonBody.Write([new("channel", channel), new("ts", ts)]), ct);

    public Task<JsonObject> OpenViewAsync(string triggerId, JsonObject view, CancellationToken ct = default) =>
        SendAsync("views.open", SlackJsonBody.Write([new("trigger_id", triggerId), new("view", view)]), ct);

    public Task<JsonObject> UpdateViewAsync(string viewId, JsonObject view, string? hash = null, CancellationToken ct = default) =>
        SendAsync("views.update", SlackJsonBody.Write([new("view_id", viewId), new("view", view), new("hash", hash)]), ct);

    public Task<JsonObject> PushViewAsync(string triggerId, JsonObject view, CancellationToken ct = default) =>
        SendAsync("views.push", SlackJsonBody.Write([new("trigger_id", triggerId), new("view", view)]), ct);

    /// <summary>Opens (or finds) the direct message with <paramref name="userId"/> and returns its channel id.</summary>
    public async Task<string> OpenDirectMessageAsync(string userId, CancellationToken ct = default)
    {
        var answer = await CallAsync("conversations.open", new JsonObject { ["users"] = userId }, ct);
        return answer["channel"]?["id"]?.GetValue<string>() ?? throw new SlackApiException("conversations.open", "missing_channel_id");
    }

    public async Task<JsonObject> GetUserAsync(string userId, CancellationToken ct = default)
    {
        var answer = await CallAsync("users.info", new JsonObject { ["user"] = userId }, ct);
        return answer["user"] as JsonObject ?? throw new SlackApiException("users.info", "missing_user");
    }

    /// <summary>Calls a Web API method with a JSON body and returns the answer once it says <c>ok:true</c>.</summary>
    public Task<JsonObject> CallAsync(string method, JsonObject body, CancellationToken ct = default) =>
        SendAsync(method, SlackJsonBody.WriteObject(body), ct);

    private async Task<JsonObject> SendAsync(string method, byte[] json, CancellationToken ct)
    {
        var http = httpClients.CreateClient(HttpClientName);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, method)
            {
                Content = new ByteArrayContent(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/json", "utf-8") } },
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.CurrentValue.BotToken);

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, ct);
            }
            catch (HttpRequestException e) when (attempt < MaxAttempts)
            {
                log.LogWarning("Slack {Method} attempt {Attempt} could not connect ({Reason}); retrying", method, attempt, e.Message);
                await Task.Delay(Backoff(attempt), ct);
                continue;
            }
            catch (HttpRequestException e)
            {
                throw new SlackApiException(method, "connection_failed", e);
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    var wait = RetryAfter(response);
                    if (attempt >= MaxAttempts || wait > MaxRetryAfter) throw new SlackApiException(method, "ratelimited");
                    log.LogWarning("Slack {Method} is rate limited; retrying after {Seconds} s", method, wait.TotalSeconds);
                    await Task.Delay(wait, ct);
                    continue;
                }
                if ((int)response.StatusCode >= 500)
                {
                    if (attempt >= MaxAttempts) throw new SlackApiException(method, $"http_{(int)response.StatusCode}");
                    log.LogWarning("Slack {Method} answered {Status}; retrying", method, (int)response.StatusCode);
                    await Task.Delay(Backoff(attempt), ct);
                    continue;
                }
                if (!response.IsSuccessStatusCode) throw new SlackApiException(method, $"http_{(int)response.StatusCode}");

                var text = await response.Content.ReadAsByteArrayAsync(ct);
                JsonObject? answer;
                try { answer = JsonNode.Parse(text) as JsonObject; }
                catch (System.Text.Json.JsonException e) { throw new SlackApiException(method, "invalid_response", e); }
                if (answer is null) throw new SlackApiException(method, "invalid_response");
                if (answer["ok"]?.GetValueKind() != System.Text.Json.JsonValueKind.True)
                    throw new SlackApiException(method, answer["error"]?.GetValue<string>() ?? "unknown_error");
                return answer;
            }
        }
    }

    private static TimeSpan RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date - DateTimeOffset.UtcNow is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero;
        return TimeSpan.FromSeconds(1);
    }

    private static TimeSpan Backoff(int attempt) =>
        FirstBackoff * Math.Pow(2, attempt - 1) + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100));
}
