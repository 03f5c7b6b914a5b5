using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PartnerBot.Bot.Channels.Slack;

namespace PartnerBot.Tests.Slack;

/// <summary>Request verification with Slack's documented signing example, in isolation and over HTTP.</summary>
public sealed class SlackSignatureTests
{
    private static readonly JsonObject Vector = SlackTestData.Json("signing-test-vector.json");
    private static string VectorSecret => Vector["signing_secret"]!.GetValue<string>();
    private static string VectorTimestamp => Vector["timestamp"]!.GetValue<string>();
    private static string VectorSignature => Vector["expected_signature"]!.GetValue<string>();
    private static string VectorBody => SlackTestData.Text("payloads/slack-slash-command.signing-example.form.txt");
    private static DateTimeOffset VectorTime => DateTimeOffset.FromUnixTimeSeconds(long.Parse(VectorTimestamp));

    private static SlackSignatureVerifier Verifier(DateTimeOffset now) =>
        new(new StaticOptions(new SlackOptions { SigningSecret = VectorSecret }), new FrozenTimeProvider(now));

    [Fact]
    public void Documented_example_verifies_with_now_frozen_near_its_timestamp()
    {
        Assert.Equal(Vector["body"]!.GetValue<string>(), VectorBody);
        Assert.Equal(VectorSignature, Encoding.ASCII.GetString(SlackSignatureVerifier.Sign(VectorSecret, VectorTimestamp, Encoding.UTF8.GetBytes(VectorBody))));
        Assert.Equal(SlackSignatureCheck.Valid, Verifier(VectorTime.AddSeconds(42)).Verify(VectorTimestamp, VectorSignature, Encoding.UTF8.GetBytes(VectorBody)));
    }

    [Theory]
    [InlineData("body")]
    [InlineData("signature")]
    [InlineData("timestamp")]
    [InlineData("six-minutes-old")]
    [InlineData("six-minutes-ahead")]
    [InlineData("missing-signature")]
    public void Documented_example_fails_when_anything_changes(string change)
    {
        var body = VectorBody;
        var signature = VectorSignature;
        var timestamp = VectorTimestamp;
        var now = VectorTime;
        switch (change)
        {
            case "body": body = body.Replace("roadrunner", "wile.e.coyote"); break;
            case "signature": signature = signature[..^1] + (signature[^1] == '0' ? '1' : '0'); break;
            case "timestamp": timestamp = (long.Parse(timestamp) + 1).ToString(); break;
            case "six-minutes-old": now = now.AddMinutes(6); break;
            case "six-minutes-ahead": now = now.AddMinutes(-6); break;
            case "missing-signature": signature = ""; break;
        }
        Assert.NotEqual(SlackSignatureCheck.Valid, Verifier(now).Verify(timestamp, signature, Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public async Task Documented_example_is_accepted_over_http_and_tampered_copies_get_401()
    {
        using var slack = new FakeSlackApi();
        var bot = new RecordingChatBot();
        await using var host = await SlackTestHost.StartAsync(slack.ApiBaseUrl, SlackTestData.TempDatabase(), bot,
            new FrozenTimeProvider(VectorTime.AddSeconds(30)),
            services => services.Configure<SlackOptions>(o => o.SigningSecret = VectorSecret));

        using var accepted = await host.Client.SendAsync(VectorRequest(VectorBody, VectorTimestamp, VectorSignature));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        // The example's command is not this app's, so the answer is the usage hint, visible only to the user.
        var answer = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!;
        Assert.Equal("ephemeral", answer["response_type"]!.GetValue<string>());
        Assert.Contains("/partnerbot", answer["text"]!.GetValue<string>());

        var stale = VectorTime.AddMinutes(-6).ToUnixTimeSeconds().ToString();
        var staleSignature = Encoding.ASCII.GetString(SlackSignatureVerifier.Sign(VectorSecret, stale, Encoding.UTF8.GetBytes(VectorBody)));
        foreach (var (body, timestamp, signature) in new[]
                 {
                     (VectorBody + "&x=1", VectorTimestamp, VectorSignature),
                     (VectorBody, VectorTimestamp, VectorSignature.Replace("a2114d", "a2114e")),
                     (VectorBody, (long.Parse(VectorTimestamp) + 1).ToString(), VectorSignature),
                     (VectorBody, stale, staleSignature),
                 })
        {
            using var rejected = await host.Client.SendAsync(VectorRequest(body, timestamp, signature));
            Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
            Assert.Equal("application/problem+json", rejected.Content.Headers.ContentType?.MediaType);
        }
        Assert.Empty(bot.Turns);
        Assert.Empty(slack.Server.LogEntries);
    }

    private static HttpRequestMessage VectorRequest(string body, string timestamp, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, SlackRoutes.Events)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", signature);
        return request;
    }

    private sealed class StaticOptions(SlackOptions value) : IOptionsMonitor<SlackOptions>
    {
        public SlackOptions CurrentValue => value;
        public SlackOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<SlackOptions, string?> listener) => null;
    }
}
