using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace PartnerBot.Tests.Teams;

public sealed class TeamsBadInputTests(TeamsTestHost host) : IClassFixture<TeamsTestHost>
{
    [Fact]
    public async Task An_unknown_invoke_name_gets_501_without_running_a_turn()
    {
        host.Reset();
        var activity = host.Payload("teams-invoke-task-fetch.json");
        activity["name"] = "composeExtension/query";

        var response = await host.PostAuthenticatedAsync(activity);

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Empty(host.Bot.Turns);
        AssertNoErrorsLogged();
    }

    public static TheoryData<string, string> BadBodies() => new()
    {
        { "malformed JSON", """{"type":"message","text": """ },
        { "not an object", """["type","message"]""" },
        { "wrong field type", """{"type":"message","text":{"nested":true}}""" },
        { "null", "null" },
        { "no type", """{"text":"hi"}""" },
        { "no conversation", """{"type":"message","text":"hi","channelId":"msteams","serviceUrl":"SERVICE"}""" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_with_a_valid_token_gets_400_problem_details(string _, string body)
    {
        host.Reset();
        var response = await host.PostAsync([], host.Identity.MintToken(host.ServiceUrl), body.Replace("SERVICE", host.ServiceUrl));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()));
        Assert.Empty(host.Bot.Turns);
        AssertNoErrorsLogged();
    }

    [Fact]
    public async Task An_oversized_body_gets_413_problem_details()
    {
        host.Reset();
        var activity = host.Payload("teams-message-channel-mention.json");
        activity["text"] = new string('x', 300 * 1024);

        var response = await host.PostAuthenticatedAsync(activity);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("256 KB", await response.Content.ReadAsStringAsync());
        Assert.Empty(host.Bot.Turns);
        AssertNoErrorsLogged();
    }

    [Fact]
    public async Task An_oversized_chunked_body_without_content_length_gets_413()
    {
        host.Reset();
        var token = host.Identity.MintToken(host.ServiceUrl);
        var bytes = Encoding.UTF8.GetBytes("{\"type\":\"message\",\"text\":\"" + new string('y', 300 * 1024) + "\"}");
        using var request = new HttpRequestMessage(HttpMethod.Post, host.BotUrl) { Content = new StreamContent(new NonSeekableStream(bytes)) };
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.TransferEncodingChunked = true;

        var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(host.Bot.Turns);
    }

    [Fact]
    public async Task Rejected_tokens_are_never_logged()
    {
        host.Reset();
        var activity = host.Payload("teams-message-channel-mention.json");
        var token = host.Identity.MintToken(activity["serviceUrl"]!.GetValue<string>(), audience: "someone-else");

        var response = await host.PostAsync(activity, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("Rejected a Bot Framework request"));
        Assert.DoesNotContain(host.Logs.Entries, e => e.Message.Contains(token) || e.Message.Contains(token.Split('.')[2]));
        AssertNoErrorsLogged();
    }

    [Fact]
    public async Task A_failing_connector_is_reported_to_teams_as_an_invoke_error_not_a_crash()
    {
        host.Reset();
        host.Connector.Reset(); // every Connector call now answers 404
        host.Bot.Behaviour = (_, responder, ct) => responder.SendAsync(PartnerBot.Cards.Model.UiMessage.Text("hello"), ct);
        var activity = host.Payload("teams-invoke-adaptivecard-action.COMPOSED.json");

        var response = await host.PostAuthenticatedAsync(activity);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(500, body["statusCode"]!.GetValue<int>());
        Assert.Equal("application/vnd.microsoft.error", body["type"]!.GetValue<string>());
    }

    private void AssertNoErrorsLogged() =>
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Error);

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
