using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace PartnerBot.Tests.Slack;

/// <summary>A WireMock stand-in for https://slack.com/api/ answering the methods the bot calls as Slack does.</summary>
public sealed class FakeSlackApi : IDisposable
{
    public const string PostedTs = "1700000000.000100";
    public const string OpenedViewId = "V0FAKEVIEW";
    /// <summary>The workspace the fake bot token is installed in (<c>auth.test</c>).</summary>
    public const string InstalledTeam = "T111";
    private readonly WireMockServer server = WireMockServer.Start();

    public FakeSlackApi()
    {
        Ok("chat.postMessage", new JsonObject { ["channel"] = "C111", ["ts"] = PostedTs, ["message"] = new JsonObject { ["text"] = "x" } });
        Ok("chat.update", new JsonObject { ["channel"] = "C111", ["ts"] = PostedTs, ["text"] = "x" });
        Ok("chat.postEphemeral", new JsonObject { ["message_ts"] = "1700000000.000200" });
        Ok("chat.delete", new JsonObject { ["channel"] = "C111", ["ts"] = PostedTs });
        Ok("views.open", new JsonObject { ["view"] = new JsonObject { ["id"] = OpenedViewId, ["hash"] = "1700000000.abc" } });
        Ok("views.update", new JsonObject { ["view"] = new JsonObject { ["id"] = OpenedViewId, ["hash"] = "1700000001.abd" } });
        Ok("views.push", new JsonObject { ["view"] = new JsonObject { ["id"] = "V0PUSHED", ["hash"] = "1700000002.abe" } });
        Ok("auth.test", new JsonObject
        {
            ["url"] = "https://partners-test.slack.com/", ["team"] = "Partners Test", ["user"] = "partnerbot", ["team_id"] = InstalledTeam,
            ["user_id"] = "U0BOTUSER", ["bot_id"] = "B0PARTNERBOT", ["is_enterprise_install"] = false,
        });
        Ok("conversations.open", new JsonObject { ["channel"] = new JsonObject { ["id"] = "D0DIRECT" } });
        Ok("users.info", new JsonObject
        {
            ["user"] = new JsonObject
            {
                ["id"] = "W111", ["team_id"] = InstalledTeam, ["name"] = "primary-owner", ["real_name"] = "Primary Owner", ["is_email_confirmed"] = true,
                ["profile"] = new JsonObject { ["display_name"] = "Prim", ["real_name"] = "Primary Owner", ["email"] = "owner@example.com" },
            },
        });
    }

    public string ApiBaseUrl => server.Url + "/api/";

    public WireMockServer Server => server;

    public void Ok(string method, JsonObject answer, int priority = 10)
    {
        answer["ok"] = true;
        server.Given(Request.Create().WithPath("/api/" + method).UsingPost()).AtPriority(priority)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json; charset=utf-8").WithBody(answer.ToJsonString()));
    }

    /// <summary>Calls of <paramref name="method"/> so far: the parsed JSON body, Authorization and Content-Type headers.</summary>
    public IReadOnlyList<SlackCall> Calls(string method) =>
        server.LogEntries
            .Where(e => e.RequestMessage.Path == "/api/" + method)
            .OrderBy(e => e.RequestMessage.DateTime)
            .Select(e => new SlackCall(
                JsonNode.Parse(e.RequestMessage.Body ?? "null") as JsonObject,
                e.RequestMessage.Headers?.TryGetValue("Authorization", out var auth) == true ? auth.ToString() : null,
                e.RequestMessage.Headers?.TryGetValue("Content-Type", out var type) == true ? type.ToString() : null,
                e.RequestMessage.DateTime))
            .ToList();

    /// <summary>Waits until <paramref name="method"/> has been called <paramref name="count"/> times (10 s at most).</summary>
    public async Task<IReadOnlyList<SlackCall>> WaitForCallsAsync(string method, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var calls = Calls(method);
            if (calls.Count >= count) return calls;
            await Task.Delay(25);
        }
        throw new TimeoutException($"{method} was called {Calls(method).Count} times, expected {count}.");
    }

    public void Dispose() => server.Stop();
}

public sealed record SlackCall(JsonObject? Body, string? Authorization, string? ContentType, DateTime At);
