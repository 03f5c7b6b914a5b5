using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;

namespace PartnerBot.Tests.Api;

/// <summary>The REST API over real HTTP through Kestrel on 127.0.0.1, against the real host.</summary>
public sealed class RestApiTests(ApiHost host) : IClassFixture<ApiHost>
{
    private static JsonContent Body(object value) => JsonContent.Create(value);

    private static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["title"]?.GetValue<string>()));
        return problem;
    }

    private static object TinyStart(string label = "hello") => new { module = "Tiny", inputs = new { label } };

    [Theory]
    [InlineData("GET", "/api/deployments")]
    [InlineData("POST", "/api/deployments")]
    [InlineData("GET", "/api/deployments/dep-x")]
    [InlineData("GET", "/api/deployments/dep-x/logs")]
    [InlineData("POST", "/api/deployments/dep-x/cancel")]
    [InlineData("DELETE", "/api/deployments/dep-x")]
    [InlineData("GET", "/api/modules")]
    [InlineData("GET", "/api/credits")]
    [InlineData("GET", "/api/credits/transactions")]
    public async Task Calls_without_an_api_key_get_401_problem_details(string method, string path)
    {
        using var client = host.Anonymous();
        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? Raw("{}") : null });

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("ApiKey", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task An_unknown_api_key_gets_401()
    {
        using var client = host.Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", "pbk_not-a-real-key");
        await AssertProblemAsync(await client.GetAsync("/api/credits"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_bearer_token_without_entra_id_configured_gets_401()
    {
        using var client = host.Anonymous();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "eyJhbGciOiJSUzI1NiJ9.e30.sig");
        var problem = await AssertProblemAsync(await client.GetAsync("/api/credits"), HttpStatusCode.Unauthorized);
        Assert.Contains("X-Api-Key", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        using var client = host.Anonymous();
        var document = (await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;

        var paths = document["paths"]!.AsObject();
        foreach (var path in new[] { "/api/deployments", "/api/deployments/{id}", "/api/modules", "/api/credits", "/api/credits/transactions" })
            Assert.True(paths.ContainsKey(path), path + " is missing from the OpenAPI document");
        var scheme = document["components"]!["securitySchemes"]!["ApiKey"]!;
        Assert.Equal("apiKey", scheme["type"]!.GetValue<string>());
        Assert.Equal("X-Api-Key", scheme["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_full_deploy_flow_reaches_success_with_outputs_and_charges_the_cost_once()
    {
        using var client = await host.ClientForAsync("api-flow");
        Assert.Equal(10, (await client.GetFromJsonAsync<JsonObject>("/api/credits"))!["total"]!.GetValue<decimal>());

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/deployments")
        {
            Content = Body(new { module = "Tiny", inputs = new { label = "flow", password = "super-secret-value" } }),
        };
        request.Headers.Add("Idempotency-Key", "flow-1");
        var created = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        Assert.Equal($"/api/deployments/{id}", created.Headers.Location!.OriginalString);

        var again = new HttpRequestMessage(HttpMethod.Post, "/api/deployments") { Content = Body(TinyStart("flow")) };
        again.Headers.Add("Idempotency-Key", "flow-1");
        var duplicate = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        Assert.Equal(id, (await duplicate.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());

        // Two steps: the deployment waits in PlanReady with the plan's summary until the caller applies it.
        var ready = await ApiHost.WaitForStateAsync(client, id, "PlanReady", "Failure", "InternalError");
        Assert.Equal("PlanReady", ready["state"]!.GetValue<string>());
        Assert.Equal("1 to add, 0 to change, 0 to destroy", ready["plan"]!["summary"]!.GetValue<string>());
        Assert.Equal(["terraform_data.thing"], ready["plan"]!["creates"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Null(ready["chargedAt"]);
        var applied = await client.PostAsync($"/api/deployments/{id}/apply", null);
        Assert.Equal(HttpStatusCode.Accepted, applied.StatusCode);
        await AssertProblemAsync(await client.PostAsync($"/api/deployments/{id}/discard", null), HttpStatusCode.Conflict);

        var done = await ApiHost.WaitForStateAsync(client, id, "Success", "Failure", "InternalError");
        Assert.Equal("Success", done["state"]!.GetValue<string>());
        Assert.NotNull(done["chargedAt"]);
        Assert.Equal("yes", done["outputs"]!["applied"]!.GetValue<string>());
        Assert.Equal(DeploymentView.Redacted, done["outputs"]!["inputs"]!.GetValue<string>());
        Assert.False(done["inputs"]!.AsObject().ContainsKey("password"));
        Assert.DoesNotContain("super-secret-value", done.ToJsonString());

        var credits = (await client.GetFromJsonAsync<JsonObject>("/api/credits"))!;
        Assert.Equal(9, credits["total"]!.GetValue<decimal>());
        Assert.Equal(9, credits["awarded"]!.GetValue<decimal>());
        var transactions = (await client.GetFromJsonAsync<JsonObject>("/api/credits/transactions"))!["items"]!.AsArray();
        Assert.Single(transactions, t => t!["kind"]!.GetValue<string>() == "Debit" && t["reference"]!.GetValue<string>() == "deployment:" + id);

        var logs = (await client.GetFromJsonAsync<JsonObject>($"/api/deployments/{id}/logs"))!;
        Assert.Contains(logs["lines"]!.AsArray(), l => l!.GetValue<string>().Contains("Apply complete!"));
    }

    [Fact]
    public async Task Another_partners_deployment_is_404_everywhere()
    {
        using var owner = await host.ClientForAsync("api-owner");
        using var other = await host.ClientForAsync("api-intruder");
        var created = await owner.PostAsync("/api/deployments", Body(TinyStart("mine")));
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        await AssertProblemAsync(await other.GetAsync($"/api/deployments/{id}"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await other.GetAsync($"/api/deployments/{id}/logs"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await other.PostAsync($"/api/deployments/{id}/cancel", null), HttpStatusCode.NotFound);
        await AssertProblemAsync(await other.DeleteAsync($"/api/deployments/{id}"), HttpStatusCode.NotFound);
        Assert.DoesNotContain(id, await other.GetStringAsync("/api/deployments"));
    }

    [Fact]
    public async Task Admins_list_everyone_with_all_true_and_partners_may_not()
    {
        using var partner = await host.ClientForAsync("api-lister");
        using var admin = await host.ClientForAsync("api-admin", admin: true);
        var created = await partner.PostAsync("/api/deployments", Body(TinyStart("listed")));
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        await AssertProblemAsync(await partner.GetAsync("/api/deployments?all=true"), HttpStatusCode.Forbidden);
        Assert.Contains(id, await admin.GetStringAsync("/api/deployments?all=true&pageSize=100"));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/deployments/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[]")]
    [InlineData("{\"inputs\":{}}")]
    [InlineData("{\"module\":42}")]
    [InlineData("{\"module\":\"Tiny\",\"inputs\":\"label=x\"}")]
    [InlineData("")]
    public async Task Bad_bodies_get_400_problem_details(string body)
    {
        using var client = await host.ClientForAsync("api-bad-body");
        await AssertProblemAsync(await client.PostAsync("/api/deployments", Raw(body)), HttpStatusCode.BadRequest);
        Assert.Equal(10, (await client.GetFromJsonAsync<JsonObject>("/api/credits"))!["total"]!.GetValue<decimal>());
    }

    [Theory]
    [InlineData("/api/deployments?pageSize=0")]
    [InlineData("/api/deployments?pageSize=lots")]
    [InlineData("/api/deployments?state=Sleeping")]
    [InlineData("/api/deployments?all=maybe")]
    [InlineData("/api/deployments?continuationToken=%%%garbage")]
    [InlineData("/api/modules?continuationToken=not-base64!")]
    [InlineData("/api/modules?scope=everything")]
    [InlineData("/api/credits/transactions?continuationToken=garbage")]
    public async Task Bad_query_values_get_400_problem_details(string url)
    {
        using var client = await host.ClientForAsync("api-bad-query");
        await AssertProblemAsync(await client.GetAsync(url), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Invalid_inputs_missing_dependencies_and_missing_credits_start_nothing()
    {
        using var client = await host.ClientForAsync("api-refused");

        var invalid = await client.PostAsync("/api/deployments", Body(new { module = "Tiny", inputs = new { label = "BAD LABEL", size = 50 } }));
        var problem = await AssertProblemAsync(invalid, HttpStatusCode.BadRequest);
        Assert.Equal("The label must be 3-20 lowercase letters or digits.", problem["errors"]!["label"]![0]!.GetValue<string>());
        Assert.Equal("Size must be between 1 and 10.", problem["errors"]!["size"]![0]!.GetValue<string>());

        var dependency = await client.PostAsync("/api/deployments", Body(new { module = "NeedsTiny", inputs = new { } }));
        var missing = await AssertProblemAsync(dependency, HttpStatusCode.Conflict);
        Assert.Equal("Tiny", missing["missing"]![0]!.GetValue<string>());

        var premium = await client.PostAsync("/api/deployments", Body(new { module = "Premium", inputs = new { } }));
        await AssertProblemAsync(premium, HttpStatusCode.PaymentRequired);

        var unknown = await client.PostAsync("/api/deployments", Body(new { module = "Nope", inputs = new { } }));
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound);

        Assert.Empty((await client.GetFromJsonAsync<JsonObject>("/api/deployments"))!["items"]!.AsArray());
        Assert.Equal(10, (await client.GetFromJsonAsync<JsonObject>("/api/credits"))!["total"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Odd_names_and_ids_are_404_not_500()
    {
        using var client = await host.ClientForAsync("api-odd");
        await AssertProblemAsync(await client.PostAsync("/api/deployments", Body(new { module = "a\\b#c?", inputs = new { } })), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.PostAsync("/api/deployments", Body(new { module = new string('x', 400), inputs = new { } })), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.GetAsync("/api/deployments/" + new string('d', 400)), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.GetAsync("/api/modules/" + Uri.EscapeDataString("a\\b")), HttpStatusCode.NotFound);
        // A non-JSON body is refused by routing (the endpoint accepts application/json only).
        Assert.Equal(HttpStatusCode.UnsupportedMediaType,
            (await client.PostAsync("/api/deployments", new StringContent("module=Tiny", Encoding.UTF8, "text/plain"))).StatusCode);
        var wrongType = await client.PostAsync("/api/deployments", Body(new { module = "Tiny", inputs = new { label = "okay", size = "big" } }));
        var problem = await AssertProblemAsync(wrongType, HttpStatusCode.BadRequest);
        Assert.Equal("'size' must be a number.", problem["errors"]!["size"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task The_catalog_shows_each_caller_what_they_may_see()
    {
        using var partner = await host.ClientForAsync("api-viewer", email: "someone@example.com");
        using var friend = await host.ClientForAsync("api-friend", email: "friend@example.com");
        using var admin = await host.ClientForAsync("api-cat-admin", admin: true);

        static async Task<string[]> Names(HttpClient c, string url = "/api/modules") =>
            (await c.GetFromJsonAsync<JsonObject>(url))!["items"]!.AsArray().Select(m => m!["name"]!.GetValue<string>()).ToArray();

        Assert.Equal(["NeedsTiny", "Premium", "Tiny"], await Names(partner));
        Assert.Contains("Private", await Names(friend));
        Assert.Contains("Private", await Names(admin));
        Assert.Equal(["NeedsTiny"], await Names(partner, "/api/modules?q=depends"));

        var page1 = (await partner.GetFromJsonAsync<JsonObject>("/api/modules?pageSize=2"))!;
        Assert.Equal(2, page1["items"]!.AsArray().Count);
        var token = Uri.EscapeDataString(page1["continuationToken"]!.GetValue<string>());
        Assert.Equal(["Tiny"], await Names(partner, $"/api/modules?pageSize=2&continuationToken={token}"));

        var tiny = (await partner.GetFromJsonAsync<JsonObject>("/api/modules/Tiny"))!;
        var password = tiny["inputs"]!.AsArray().Single(i => i!["name"]!.GetValue<string>() == "password")!;
        Assert.True(password["sensitive"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync("/api/modules/Private")).StatusCode);
    }

    [Fact]
    public async Task Delete_destroys_and_purge_forgets()
    {
        using var client = await host.ClientForAsync("api-delete");
        var first = (await (await client.PostAsync("/api/deployments", Body(TinyStart("one")))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var second = (await (await client.PostAsync("/api/deployments", Body(TinyStart("two")))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        Assert.Equal("Success", (await ApiHost.ApplyPlanAsync(client, first))["state"]!.GetValue<string>());
        Assert.Equal("Success", (await ApiHost.ApplyPlanAsync(client, second))["state"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"/api/deployments/{first}")).StatusCode);
        var destroyPlan = await ApiHost.WaitForStateAsync(client, first, "PlanReady");
        Assert.Equal("0 to add, 0 to change, 1 to destroy", destroyPlan["plan"]!["summary"]!.GetValue<string>());
        Assert.Equal("Deleted", (await ApiHost.ApplyPlanAsync(client, first, "Deleted"))["state"]!.GetValue<string>());
        Assert.Equal(2, host.Fake.Calls.Count(c => c == "plan " + first));

        var purged = await client.DeleteAsync($"/api/deployments/{second}?purge=true");
        Assert.Equal(HttpStatusCode.OK, purged.StatusCode);
        Assert.Equal("Deleted", (await purged.Content.ReadFromJsonAsync<JsonObject>())!["state"]!.GetValue<string>());
        Assert.Single(host.Fake.Calls, c => c == "plan " + second);

        await AssertProblemAsync(await client.DeleteAsync($"/api/deployments/{second}"), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Runner_events_must_be_signed_and_apply_once()
    {
        using var client = await host.ClientForAsync("api-events");
        var id = (await (await client.PostAsync("/api/deployments", Body(TinyStart("events")))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        await ApiHost.ApplyPlanAsync(client, id);
        using var runner = host.Anonymous();
        var body = """{"eventId":"evt-1","type":"log","lines":["remote: step 1","remote: step 2"]}""";

        var unsigned = await runner.PostAsync($"/api/deployments/{id}/events", Raw(body));
        await AssertProblemAsync(unsigned, HttpStatusCode.Unauthorized);
        var forged = new HttpRequestMessage(HttpMethod.Post, $"/api/deployments/{id}/events") { Content = Raw(body) };
        forged.Headers.Add("X-PartnerBot-Signature", "sha256=" + new string('0', 64));
        await AssertProblemAsync(await runner.SendAsync(forged), HttpStatusCode.Unauthorized);

        var first = await runner.SendAsync(Signed(id, body));
        var second = await runner.SendAsync(Signed(id, body));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.True((await first.Content.ReadFromJsonAsync<JsonObject>())!["applied"]!.GetValue<bool>());
        Assert.False((await second.Content.ReadFromJsonAsync<JsonObject>())!["applied"]!.GetValue<bool>());

        var logs = (await client.GetFromJsonAsync<JsonObject>($"/api/deployments/{id}/logs?pageSize=100"))!["lines"]!.AsArray();
        Assert.Single(logs, l => l!.GetValue<string>() == "remote: step 1");

        var bad = await runner.SendAsync(Signed(id, """{"eventId":"evt-2","type":"dance"}"""));
        await AssertProblemAsync(bad, HttpStatusCode.BadRequest);
    }

    private static HttpRequestMessage Signed(string deploymentId, string body)
    {
        var key = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ApiHost.CallbackSecret),
            Encoding.UTF8.GetBytes("deployment:" + deploymentId)));
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(body)));
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/deployments/{deploymentId}/events") { Content = Raw(body) };
        request.Headers.Add("X-PartnerBot-Signature", "sha256=" + signature);
        return request;
    }
}
