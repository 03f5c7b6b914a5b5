using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Identity;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Billing;

internal static class BillingTestSupport
{
    public static Task<BotTestHost> StartHostAsync(IDictionary<string, string?> settings, TimeProvider clock, string environment = "Development") =>
        BotTestHost.StartAsync(settings, configure: b => b.Services.AddSingleton(clock), environment: environment);

    public static async Task<HttpResponseMessage> PostEventAsync(BotTestHost host, string body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/stripe/webhook")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (signature is not null) request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        return await host.Client.SendAsync(request);
    }

    public static async Task<string> UserIdAsync(BotTestHost host, DirectLineTestClient chat) =>
        (await host.Services.GetRequiredService<UserDirectory>().FindByIdentityAsync("directline", chat.UserId))!.Id;

    public static JsonObject ActionData(JsonObject card, Func<JsonObject, bool> match) =>
        DirectLineTestClient.Actions(card).Select(a => a["data"] as JsonObject).OfType<JsonObject>().First(match).DeepClone().AsObject();

    public static string LinkUrl(JsonObject card, string title) =>
        (string)DirectLineTestClient.Actions(card).First(a => (string?)a["type"] == "Action.OpenUrl" && (string?)a["title"] == title)["url"]!;

    public static Func<JsonObject, bool> Verb(string verb) => d => (string?)d["verb"] == verb;

    /// <summary>The path and query of an absolute link, to call it on the test host (whose port differs from PublicBaseUrl).</summary>
    public static string Local(string url) => new Uri(url).PathAndQuery.TrimStart('/');
}
