using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Channels.BotFramework;
using PartnerBot.Bot.Conversations;
using Microsoft.AspNetCore.Mvc;
using PartnerBot.Bot.Hosting;

namespace PartnerBot.Bot.Channels.DirectLine;

/// <summary>
/// A Direct Line 3.0-compatible endpoint for the local Web Chat page and botframework-directlinejs.
///
/// | Route                                                     | Purpose                                  |
/// |-----------------------------------------------------------|------------------------------------------|
/// | POST /v3/directline/tokens/generate                       | token for a new conversation             |
/// | POST /v3/directline/tokens/refresh                        | fresh token for the same conversation    |
/// | POST /v3/directline/conversations                         | start (201) or resume (200)              |
/// | GET  /v3/directline/conversations/{id}?watermark=         | reconnect: new stream URL                |
/// | POST /v3/directline/conversations/{id}/activities         | send an activity                         |
/// | GET  /v3/directline/conversations/{id}/activities?watermark= | poll activities after the watermark  |
/// | GET  /v3/directline/conversations/{id}/stream?t=          | WebSocket stream of ActivitySets         |
///
/// A bot message updated in place (a status card) arrives as a new version with the same id and place; see
/// <see cref="DirectLineConversations"/>.
/// </summary>
public static class DirectLineChannel
{
    public const string ChannelId = "directline";
    public const string JoinEventName = "webchat/join";
    public const string ThemeEventName = "theme";

    public static IServiceCollection AddDirectLineChannel(this IServiceCollection services)
    {
        services.AddDataProtection();
        services.AddStorageContainer(DirectLineConversations.Container, "/seq");
        services.AddSingleton<DirectLineTokens>();
        services.AddSingleton<DirectLineConversations>();
        services.AddOptions<DirectLineStreamOptions>()
            .Configure<IConfiguration>((o, c) => c.GetSection(DirectLineStreamOptions.Section).Bind(o))
            .ValidateWith(o => o.Problem());
        services.AddSingleton<IProactiveChannel, DirectLineProactiveChannel>();
        return services;
    }

    public static IEndpointRouteBuilder MapDirectLineChannel(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v3/directline").WithTags("Direct Line").WithRequestBodyLimit(RequestBodyGroup.Chat);
        group.MapPost("/tokens/generate", GenerateTokenAsync);
        group.MapPost("/tokens/refresh", RefreshTokenAsync);
        group.MapPost("/conversations", StartConversationAsync);
        group.MapGet("/conversations/{conversationId}", ReconnectAsync);
        group.MapPost("/conversations/{conversationId}/activities", PostActivityAsync);
        group.MapGet("/conversations/{conversationId}/activities", GetActivitiesAsync);
        group.Map("/conversations/{conversationId}/stream", StreamAsync);
        return app;
    }

    /// <summary>
    /// A token for a new conversation of the browser's own session: the user id comes from the server-issued
    /// session cookie, never from the body (Direct Line's <c>user.id</c> is ignored), so no caller can pick one.
    /// </summary>
    private static async Task<IResult> GenerateTokenAsync(HttpContext http, DirectLineTokens tokens, WebChatSessions sessions, CancellationToken ct)
    {
        var body = await JsonRequestBody.ReadBytesAsync(http.Request, 16 * 1024, ct);
        if (body is null) return JsonRequestBody.Problem("Request too large", "The token request is too large.", StatusCodes.Status413PayloadTooLarge);
        TokenRequest? tokenRequest = null;
        if (body.Length > 0)
        {
            try { tokenRequest = JsonSerializer.Deserialize(body, DirectLineJson.Default.TokenRequest); }
            catch (JsonException e) { return JsonRequestBody.Problem("Invalid JSON", $"The request body is not valid JSON: {e.Message}"); }
        }
        var user = await sessions.CurrentAsync(http, tokenRequest?.User?.Name);
        if (user is null) return SignInRequired();
        var grant = new DirectLineGrant(DirectLineTokens.NewConversationId(), user.Id, user.Name);
        return Results.Ok(new TokenResponse(grant.ConversationId, tokens.Issue(grant), (int)DirectLineTokens.Lifetime.TotalSeconds, null, new TokenUser(user.Id, user.Name)));
    }

    private static async Task<IResult> RefreshTokenAsync(HttpContext http, DirectLineTokens tokens, WebChatSessions sessions)
    {
        var grant = tokens.Validate(DirectLineTokens.FromRequest(http.Request));
        if (grant is null) return Forbidden();
        // A browser renews its session while it chats; another browser's cookie cannot take this conversation over.
        var user = await sessions.CurrentAsync(http);
        if (user is null) return SignInRequired();
        if (user.Id != grant.UserId) return Forbidden();
        return Results.Ok(new TokenResponse(grant.ConversationId, tokens.Issue(grant), (int)DirectLineTokens.Lifetime.TotalSeconds, null));
    }

    private static IResult SignInRequired() =>
        JsonRequestBody.Problem("Sign-in required", "Sign in on the Web Chat page first.", StatusCodes.Status401Unauthorized);

    private static async Task<IResult> StartConversationAsync(HttpRequest request, DirectLineTokens tokens, DirectLineConversations conversations, CancellationToken ct)
    {
        var grant = tokens.Validate(DirectLineTokens.FromRequest(request));
        if (grant is null) return Forbidden();
        var created = await conversations.CreateAsync(grant, ct);
        var response = new TokenResponse(grant.ConversationId, tokens.Issue(grant), (int)DirectLineTokens.Lifetime.TotalSeconds, StreamUrl(request, grant, tokens, null));
        return created ? Results.Json(response, DirectLineJson.Default.TokenResponse, statusCode: StatusCodes.Status201Created) : Results.Ok(response);
    }

    private static async Task<IResult> ReconnectAsync(string conversationId, string? watermark, HttpRequest request, DirectLineTokens tokens, DirectLineConversations conversations, CancellationToken ct)
    {
        var grant = Authorize(request, tokens, conversationId);
        if (grant is null) return Forbidden();
        if (!await conversations.ExistsAsync(conversationId, ct)) return NotFound(conversationId);
        return Results.Ok(new TokenResponse(conversationId, tokens.Issue(grant), (int)DirectLineTokens.Lifetime.TotalSeconds, StreamUrl(request, grant, tokens, watermark)));
    }

    private static async Task<IResult> PostActivityAsync(string conversationId, HttpRequest request, DirectLineTokens tokens,
        DirectLineConversations conversations, TurnDispatcher dispatcher, [FromServices] IEnumerable<IInputGuard> guards, CancellationToken ct)
    {
        var grant = Authorize(request, tokens, conversationId);
        if (grant is null) return Forbidden();
        var (activity, error) = await JsonRequestBody.ReadAsync(request, BotFrameworkJsonContext.Default.Activity, JsonRequestBody.MaxActivityBytes, ct);
        if (error is not null) return error;
        if (!await conversations.ExistsAsync(conversationId, ct)) return NotFound(conversationId);
        if (string.IsNullOrEmpty(activity!.Type))
            return JsonRequestBody.Problem("Invalid activity", "The activity has no type.");

        // The client's own activity comes back on the stream with a server id and channelData unchanged: Web Chat
        // matches channelData.clientActivityID to mark the message as sent.
        activity.From = new ChannelAccount { Id = grant.UserId, Name = activity.From?.Name ?? grant.UserName, Role = "user" };
        activity.Conversation = new ConversationAccount { Id = conversationId };
        activity.Recipient = DirectLineResponder.Bot;
        activity.Timestamp = DateTimeOffset.UtcNow;
        activity.ServiceUrl = null;
        // Secrets the guards recognise (e.g. a pasted GitHub token) never reach the stored transcript; the bot still
        // sees the input as sent, so it can refuse it.
        var guardList = guards.ToList();
        var (sentText, sentValue) = (activity.Text, activity.Value);
        var guardMasked = InputMasking.MaskedCopy(guardList, activity.Value);
        var maskedValue = WithoutFormSecrets(guardMasked ?? activity.Value) ?? guardMasked;
        activity.Text = InputMasking.Mask(guardList, activity.Text);
        if (maskedValue is not null) activity.Value = maskedValue;
        var stored = await conversations.AppendAsync(conversationId, activity, ct);

        var turn = ToTurn(new Activity
        {
            Type = stored.Type, Id = stored.Id, Name = stored.Name, From = stored.From, Text = sentText, Value = sentValue,
        }, grant);
        if (turn is not null)
        {
            // A welcome answers no visible message, so it is not threaded to the join event.
            var responder = new DirectLineResponder(conversations, conversationId, turn.Kind == TurnKind.ConversationStart ? null : stored.Id);
            dispatcher.Dispatch(turn, responder);
        }
        return Results.Ok(new ResourceResponse(stored.Id));
    }

    private static async Task<IResult> GetActivitiesAsync(string conversationId, string? watermark, HttpRequest request, DirectLineTokens tokens,
        DirectLineConversations conversations, CancellationToken ct)
    {
        if (Authorize(request, tokens, conversationId) is null) return Forbidden();
        if (!await conversations.ExistsAsync(conversationId, ct)) return NotFound(conversationId);
        var (activities, last) = await conversations.ReadAfterAsync(conversationId, ParseWatermark(watermark), ct);
        return Results.Json(new ActivitySet(activities, last.ToString(CultureInfo.InvariantCulture)), DirectLineJson.Default.ActivitySet);
    }

    private static async Task StreamAsync(HttpContext context, string conversationId, DirectLineTokens tokens, DirectLineConversations conversations)
    {
        var ct = context.RequestAborted;
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await JsonRequestBody.Problem("WebSocket required", "Connect to the stream URL with a WebSocket.").ExecuteAsync(context);
            return;
        }
        if (Authorize(context.Request, tokens, conversationId) is null) { await Forbidden().ExecuteAsync(context); return; }
        if (!await conversations.ExistsAsync(conversationId, ct)) { await NotFound(conversationId).ExecuteAsync(context); return; }

        // Taken before the upgrade, so a refused stream is a plain HTTP answer the client can read.
        using var subscription = conversations.TrySubscribe(conversationId, out var refusal);
        if (subscription is null)
        {
            var instanceFull = refusal == DirectLineConversations.StreamRefusal.InstanceFull;
            context.Response.Headers.RetryAfter = "5";
            await JsonRequestBody.Problem("Too many streams", instanceFull
                    ? "This server has as many open streams as it keeps (LocalChat:MaxStreams); try again shortly."
                    : "This conversation has as many open streams as it may (LocalChat:MaxStreamsPerConversation); close one first.",
                instanceFull ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status429TooManyRequests).ExecuteAsync(context);
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var (backlog, last) = await conversations.ReadAfterAsync(conversationId, ParseWatermark(context.Request.Query["watermark"]), ct);
        if (backlog.Count > 0) await SendSetAsync(socket, backlog, last, ct);

        var receiving = DrainClientFramesAsync(socket, ct);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var readTask = subscription.Reader.WaitToReadAsync(ct).AsTask();
                var finished = await Task.WhenAny(readTask, receiving, Task.Delay(TimeSpan.FromSeconds(20), ct));
                if (finished == receiving) break;
                if (finished == readTask && await readTask)
                {
                    var batch = new List<Activity>();
                    while (subscription.Reader.TryRead(out var item))
                    {
                        if (item.Seq <= last) continue;
                        batch.Add(item.Activity);
                        last = item.Seq;
                    }
                    if (batch.Count > 0) await SendSetAsync(socket, batch, last, ct);
                }
                else if (finished != readTask)
                {
                    // Keep-alive: an empty frame, as the Direct Line service sends.
                    await socket.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, true, ct);
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (WebSocketException) { }
        // Complete the close handshake whichever side started it.
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try { await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "closing", CancellationToken.None); }
            catch (WebSocketException) { }
        }
    }

    private static async Task DrainClientFramesAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close) return;
            }
        }
        catch (OperationCanceledException) { }
        catch (WebSocketException) { }
    }

    private static Task SendSetAsync(WebSocket socket, IReadOnlyList<Activity> activities, long watermark, CancellationToken ct)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new ActivitySet(activities, watermark.ToString(CultureInfo.InvariantCulture)), DirectLineJson.Default.ActivitySet);
        return socket.SendAsync(json, WebSocketMessageType.Text, true, ct);
    }

    /// <summary>
    /// A copy of a submitted value without the secret form inputs its action names (see
    /// <see cref="Cards.AdaptiveCards.AdaptiveCardRenderer.SecretsKey"/>), so the stored transcript never holds them.
    /// </summary>
    internal static JsonNode? WithoutFormSecrets(JsonNode? value)
    {
        var secrets = InputMasking.SecretInputKeys(value);
        if (secrets.Count == 0) return null;
        var copy = value!.DeepClone().AsObject();
        foreach (var key in secrets)
            if (copy.ContainsKey(key)) copy[key] = "(secret)";
        return copy;
    }

    /// <summary>The neutral turn for an activity from Web Chat, or null for activities the bot does not act on.</summary>
    internal static IncomingTurn? ToTurn(Activity activity, DirectLineGrant grant)
    {
        var identity = new ChatIdentity(ChannelId, grant.UserId, activity.From?.Name ?? grant.UserName);
        var key = $"{ChannelId}:{grant.ConversationId}";
        switch (activity.Type)
        {
            case ActivityTypes.Message when activity.Value is JsonObject value:
                return new IncomingTurn(ChannelId, key, identity, activity.Id!, TurnKind.CardAction,
                    activity.Text, (string?)(value["verb"] as JsonValue), value.DeepClone().AsObject());
            case ActivityTypes.Message:
                return new IncomingTurn(ChannelId, key, identity, activity.Id!, TurnKind.Message, activity.Text);
            case ActivityTypes.Event when activity.Name == JoinEventName:
                return new IncomingTurn(ChannelId, key, identity, activity.Id!, TurnKind.ConversationStart,
                    Data: activity.Value is JsonObject joinValue ? joinValue.DeepClone().AsObject() : null);
            case ActivityTypes.Event when activity.Name == ThemeEventName:
                return new IncomingTurn(ChannelId, key, identity, activity.Id!, TurnKind.CardAction, null, "theme.set",
                    new JsonObject { ["theme"] = activity.Value?.DeepClone() });
            default:
                return null;
        }
    }

    private static DirectLineGrant? Authorize(HttpRequest request, DirectLineTokens tokens, string conversationId)
    {
        var grant = tokens.Validate(DirectLineTokens.FromRequest(request));
        return grant is not null && grant.ConversationId == conversationId ? grant : null;
    }

    private static string StreamUrl(HttpRequest request, DirectLineGrant grant, DirectLineTokens tokens, string? watermark)
    {
        var scheme = request.IsHttps ? "wss" : "ws";
        var url = $"{scheme}://{request.Host}/v3/directline/conversations/{Uri.EscapeDataString(grant.ConversationId)}/stream?t={Uri.EscapeDataString(tokens.Issue(grant))}";
        return string.IsNullOrEmpty(watermark) ? url : url + "&watermark=" + Uri.EscapeDataString(watermark);
    }

    private static long ParseWatermark(string? watermark) =>
        long.TryParse(watermark, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static IResult Forbidden() =>
        Results.Json(new DirectLineError(new DirectLineErrorBody("TokenExpired", "The token is missing, expired or not for this conversation.")),
            DirectLineJson.Default.DirectLineError, statusCode: StatusCodes.Status403Forbidden);

    private static IResult NotFound(string conversationId) =>
        JsonRequestBody.Problem("Conversation not found", $"There is no conversation '{conversationId}'.", StatusCodes.Status404NotFound);
}

public sealed record TokenRequest(ChannelAccount? User);
public sealed record TokenResponse(string ConversationId, string Token, [property: JsonPropertyName("expires_in")] int ExpiresIn, string? StreamUrl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TokenUser? User = null);

/// <summary>Who the token speaks for (the page shows its own messages by this id).</summary>
public sealed record TokenUser(string Id, string? Name);
public sealed record ActivitySet(IReadOnlyList<Activity> Activities, string Watermark);
public sealed record DirectLineError(DirectLineErrorBody Error);
public sealed record DirectLineErrorBody(string Code, string Message);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(ActivitySet))]
[JsonSerializable(typeof(DirectLineError))]
internal sealed partial class DirectLineJson : JsonSerializerContext;
