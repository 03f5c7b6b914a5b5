using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PartnerBot.Tests.Infrastructure;

/// <summary>A Direct Line 3.0 client over real HTTP, as botframework-directlinejs uses the protocol (polling mode).</summary>
public sealed class DirectLineTestClient
{
    private readonly HttpClient _http;
    private long _watermark;
    private int _consumed;

    private DirectLineTestClient(HttpClient http, string conversationId, string token, string userId)
    {
        _http = http;
        ConversationId = conversationId;
        Token = token;
        UserId = userId;
    }

    public string ConversationId { get; }
    public string Token { get; private set; }
    public string UserId { get; }

    /// <summary>The watermark after the last poll.</summary>
    public long Watermark => _watermark;

    /// <summary>Every activity received so far, user echoes included.</summary>
    public List<JsonObject> Received { get; } = [];

    /// <summary>
    /// A new browser: no session cookie, so the host gives it a new local identity (its id is in the token
    /// response). <paramref name="userId"/> is only sent as a client would; the host ignores it.
    /// </summary>
    public static async Task<DirectLineTestClient> StartAsync(HttpClient http, string? userId = null)
    {
        var tokenResponse = await http.PostAsJsonAsync("v3/directline/tokens/generate", new { user = new { id = userId ?? "ignored", name = "Test User" } });
        tokenResponse.EnsureSuccessStatusCode();
        var generated = (await tokenResponse.Content.ReadFromJsonAsync<JsonObject>())!;
        var token = generated["token"]!.GetValue<string>();
        userId = generated["user"]!["id"]!.GetValue<string>();

        using var start = new HttpRequestMessage(HttpMethod.Post, "v3/directline/conversations");
        start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        start.Content = JsonContent.Create(new { user = new { id = userId } });
        var started = await http.SendAsync(start);
        Assert.Equal(System.Net.HttpStatusCode.Created, started.StatusCode);
        var body = (await started.Content.ReadFromJsonAsync<JsonObject>())!;
        return new DirectLineTestClient(http, body["conversationId"]!.GetValue<string>(), body["token"]!.GetValue<string>(), userId);
    }

    /// <summary>The same conversation and token against another host (a restarted one); the position starts at 0.</summary>
    public DirectLineTestClient Reconnect(HttpClient http) => new(http, ConversationId, Token, UserId);

    public Task<HttpResponseMessage> PostRawAsync(string json) => SendAsync(HttpMethod.Post, $"v3/directline/conversations/{ConversationId}/activities",
        new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public async Task<string> SendTextAsync(string text)
    {
        var response = await PostActivityAsync(new JsonObject
        {
            ["type"] = "message",
            ["from"] = new JsonObject { ["id"] = UserId },
            ["text"] = text,
            ["channelData"] = new JsonObject { ["clientActivityID"] = Guid.NewGuid().ToString("N") },
        });
        return response;
    }

    /// <summary>What Web Chat sends for an Action.Submit: a message whose value is the action data plus inputs.</summary>
    public Task<string> SubmitAsync(JsonObject value) => PostActivityAsync(new JsonObject
    {
        ["type"] = "message",
        ["from"] = new JsonObject { ["id"] = UserId },
        ["value"] = value,
        ["channelData"] = new JsonObject { ["clientActivityID"] = Guid.NewGuid().ToString("N") },
    });

    public Task<string> SendEventAsync(string name, JsonNode? value = null) => PostActivityAsync(new JsonObject
    {
        ["type"] = "event",
        ["name"] = name,
        ["from"] = new JsonObject { ["id"] = UserId },
        ["value"] = value,
    });

    public async Task<string> PostActivityAsync(JsonObject activity)
    {
        var response = await SendAsync(HttpMethod.Post, $"v3/directline/conversations/{ConversationId}/activities",
            new StringContent(activity.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    /// <summary>
    /// Polls until a bot activity satisfying <paramref name="match"/> is found after the last one a wait returned,
    /// and moves past it.
    /// </summary>
    public async Task<JsonObject> WaitForBotAsync(Func<JsonObject, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(45));
        while (DateTime.UtcNow < deadline)
        {
            await PollAsync();
            for (var i = _consumed; i < Received.Count; i++)
            {
                var activity = Received[i];
                if ((string?)activity["from"]?["role"] == "bot" && match(activity))
                {
                    _consumed = i + 1;
                    return activity;
                }
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("No matching bot activity. Received:\n" + string.Join("\n", Received.Select(a => a.ToJsonString())));
    }

    public Task<JsonObject> WaitForCardAsync(Func<JsonObject, bool>? match = null, TimeSpan? timeout = null) =>
        WaitForBotAsync(a => Card(a) is { } card && (match?.Invoke(card) ?? true), timeout);

    public Task<JsonObject> WaitForTextAsync(string contains, TimeSpan? timeout = null) =>
        WaitForBotAsync(a => AllText(a).Contains(contains, StringComparison.OrdinalIgnoreCase), timeout);

    public async Task PollAsync()
    {
        var response = await SendAsync(HttpMethod.Get, $"v3/directline/conversations/{ConversationId}/activities?watermark={_watermark}", null);
        response.EnsureSuccessStatusCode();
        var set = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        foreach (var activity in set["activities"]!.AsArray()) Received.Add(activity!.AsObject());
        _watermark = long.Parse(set["watermark"]!.GetValue<string>());
    }

    public static JsonObject? Card(JsonObject activity) =>
        activity["attachments"] is JsonArray { Count: > 0 } attachments
        && (string?)attachments[0]!["contentType"] == "application/vnd.microsoft.card.adaptive"
            ? attachments[0]!["content"]!.AsObject()
            : null;

    /// <summary>Every string in the activity (text and card texts), for loose assertions.</summary>
    public static string AllText(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s + "\n",
        JsonObject o => string.Concat(o.Select(p => AllText(p.Value))),
        JsonArray a => string.Concat(a.Select(AllText)),
        _ => "",
    };

    /// <summary>The actions of a card (action bar and action sets), wherever they are.</summary>
    public static IEnumerable<JsonObject> Actions(JsonNode? node) => node switch
    {
        JsonObject o when ((string?)o["type"])?.StartsWith("Action.", StringComparison.Ordinal) == true => [o],
        JsonObject o => o.SelectMany(p => Actions(p.Value)),
        JsonArray a => a.SelectMany(Actions),
        _ => [],
    };

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return _http.SendAsync(request);
    }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);
}
