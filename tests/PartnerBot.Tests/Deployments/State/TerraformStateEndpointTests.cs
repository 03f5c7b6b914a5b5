using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments.State;

namespace PartnerBot.Tests.Deployments.State;

/// <summary>The state endpoint over HTTP on a running host: what it answers, and that bad input never costs a state.</summary>
public sealed class TerraformStateEndpointTests(StateBackendHost host) : IClassFixture<StateBackendHost>
{
    private static readonly HttpMethod Lock = new("LOCK");
    private static readonly HttpMethod Unlock = new("UNLOCK");

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentMD5 = MD5.HashData(body);
        return content;
    }

    private static ByteArrayContent Json(string body) => Json(Encoding.UTF8.GetBytes(body));

    private static string LockBody(string id) => new JsonObject
    {
        ["ID"] = id, ["Operation"] = "OperationTypeApply", ["Info"] = "", ["Who"] = "ci@runner", ["Version"] = "1.11.4",
        ["Created"] = "2025-01-01T00:00:00Z", ["Path"] = "",
    }.ToJsonString();

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, HttpContent? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body };
        return await http.SendAsync(request);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((int)expected, (int?)problem["status"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
    }

    /// <summary>A deployment with one stored state, and a client holding its credentials.</summary>
    private async Task<(string Deployment, HttpClient Http, byte[] State)> WithStateAsync()
    {
        var deployment = await host.CreateDeploymentAsync();
        var http = await host.ClientAsync(deployment);
        var state = TerraformStateStoreContractTests.StateJson(5, "lineage-e", 2, "kept");
        var put = await http.PostAsync(StateBackendHost.StatePath(deployment), Json(state));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return (deployment, http, state);
    }

    private static async Task AssertStateIsAsync(HttpClient http, string deployment, byte[] expected)
    {
        var get = await http.GetAsync(StateBackendHost.StatePath(deployment));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(expected, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_answers_204_before_any_state_and_the_state_after_a_post()
    {
        var deployment = await host.CreateDeploymentAsync();
        using var http = await host.ClientAsync(deployment);
        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync(StateBackendHost.StatePath(deployment))).StatusCode);

        // Over one stored document (1 MB chunks) but under Deployments:MaxStateBytes.
        var state = TerraformStateStoreContractTests.StateJson(1, "l", 1, "big", padding: 1536 * 1024);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(StateBackendHost.StatePath(deployment), Json(state))).StatusCode);

        var get = await http.GetAsync(StateBackendHost.StatePath(deployment));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var body = await get.Content.ReadAsByteArrayAsync();
        Assert.Equal(state, body);
        Assert.Equal(MD5.HashData(state), get.Content.Headers.ContentMD5);
        Assert.Equal(2, (await host.Get<TerraformStateStore>().GetHeadAsync(deployment)).Current!.Chunks);
    }

    [Fact]
    public async Task Requests_without_valid_credentials_get_401_with_a_basic_challenge_and_change_nothing()
    {
        var (deployment, http, state) = await WithStateAsync();
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var wrong = await host.ClientAsync(deployment, password: new string('0', 64));
        using var garbled = new HttpClient { BaseAddress = host.BaseAddress };
        garbled.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "not base64!");
        using var apiKeyOnly = new HttpClient { BaseAddress = host.BaseAddress };
        apiKeyOnly.DefaultRequestHeaders.Add("X-Api-Key", "pb_something");

        foreach (var client in new[] { anonymous, wrong, garbled, apiKeyOnly })
        {
            var get = await client.GetAsync(StateBackendHost.StatePath(deployment));
            await AssertProblemAsync(get, HttpStatusCode.Unauthorized);
            Assert.Equal("Basic", get.Headers.WwwAuthenticate.Single().Scheme);
            await AssertProblemAsync(await client.PostAsync(StateBackendHost.StatePath(deployment), Json("{\"serial\":9}")),
                HttpStatusCode.Unauthorized);
            await AssertProblemAsync(await SendAsync(client, HttpMethod.Delete, StateBackendHost.StatePath(deployment)),
                HttpStatusCode.Unauthorized);
            await AssertProblemAsync(await SendAsync(client, Lock, StateBackendHost.StatePath(deployment), Json(LockBody("x"))),
                HttpStatusCode.Unauthorized);
        }
        Assert.Null(await host.Get<TerraformStateStore>().GetLockAsync(deployment));
        await AssertStateIsAsync(http, deployment, state);
    }

    [Fact]
    public async Task Another_deployments_credentials_are_refused_and_unknown_deployments_are_not_found()
    {
        var (deployment, http, state) = await WithStateAsync();
        var other = await host.CreateDeploymentAsync();
        var otherPassword = await host.Get<TerraformStateCredentials>().PasswordAsync(other);
        using var asOther = await host.ClientAsync(deployment, user: other, password: otherPassword);
        using var otherPasswordOnly = await host.ClientAsync(deployment, password: otherPassword);

        await AssertProblemAsync(await asOther.GetAsync(StateBackendHost.StatePath(deployment)), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await asOther.PostAsync(StateBackendHost.StatePath(deployment), Json("{\"serial\":9}")),
            HttpStatusCode.Forbidden);
        await AssertProblemAsync(await otherPasswordOnly.GetAsync(StateBackendHost.StatePath(deployment)), HttpStatusCode.Unauthorized);

        using var ghost = await host.ClientAsync("dep-does-not-exist");
        await AssertProblemAsync(await ghost.GetAsync(StateBackendHost.StatePath("dep-does-not-exist")), HttpStatusCode.NotFound);
        await AssertStateIsAsync(http, deployment, state);
    }

    [Fact]
    public async Task Malformed_lock_and_unlock_bodies_get_400_and_take_no_lock()
    {
        var (deployment, http, state) = await WithStateAsync();
        var path = StateBackendHost.StatePath(deployment);

        foreach (var body in new[] { "", "{not json", "[]", "{\"Operation\":\"OperationTypeApply\"}", "{\"ID\":\"\"}", "{\"ID\":42}",
                     "{\"ID\":\"a\",\"Who\":{\"x\":1}}" })
        {
            await AssertProblemAsync(await SendAsync(http, Lock, path, Json(body)), HttpStatusCode.BadRequest);
            await AssertProblemAsync(await SendAsync(http, Unlock, path, Json(body)), HttpStatusCode.BadRequest);
        }
        await AssertProblemAsync(await SendAsync(http, Lock, path, Json(new string(' ', 70_000) + LockBody("big"))),
            HttpStatusCode.RequestEntityTooLarge);
        Assert.Null(await host.Get<TerraformStateStore>().GetLockAsync(deployment));
        await AssertStateIsAsync(http, deployment, state);
    }

    [Fact]
    public async Task Malformed_and_oversize_states_are_refused_and_the_previous_state_stays()
    {
        var (deployment, http, state) = await WithStateAsync();
        var path = StateBackendHost.StatePath(deployment);

        foreach (var body in new[] { "", "{oops", "\"a string\"", "{\"serial\":\"one\"}", "{\"resources\":{}}" })
            await AssertProblemAsync(await http.PostAsync(path, Json(body)), HttpStatusCode.BadRequest);

        var mismatched = Json(TerraformStateStoreContractTests.StateJson(6, "lineage-e", 1, "changed"));
        mismatched.Headers.ContentMD5 = MD5.HashData("something else"u8.ToArray());
        await AssertProblemAsync(await http.PostAsync(path, mismatched), HttpStatusCode.BadRequest);

        var oversize = TerraformStateStoreContractTests.StateJson(7, "lineage-e", 1, "huge", padding: (int)StateBackendHost.MaxStateBytes);
        await AssertProblemAsync(await http.PostAsync(path, Json(oversize)), HttpStatusCode.RequestEntityTooLarge);
        // Without a Content-Length the limit is enforced while the body streams in.
        var streamed = new StreamContent(new MemoryStream(oversize));
        streamed.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using (var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = streamed })
        {
            request.Headers.TransferEncodingChunked = true;
            await AssertProblemAsync(await http.SendAsync(request), HttpStatusCode.RequestEntityTooLarge);
        }

        await AssertStateIsAsync(http, deployment, state);
        Assert.Equal(1, (await host.Get<TerraformStateStore>().GetHeadAsync(deployment)).Version);
    }

    [Fact]
    public async Task A_held_lock_answers_423_with_the_holders_lock_info_and_guards_the_state()
    {
        var (deployment, http, state) = await WithStateAsync();
        var path = StateBackendHost.StatePath(deployment);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, Lock, path, Json(LockBody("holder-1")))).StatusCode);
        // The holder repeating its LOCK keeps it.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, Lock, path, Json(LockBody("holder-1")))).StatusCode);

        var second = await SendAsync(http, Lock, path, Json(LockBody("holder-2")));
        Assert.Equal(HttpStatusCode.Locked, second.StatusCode);
        var holder = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;
        Assert.Equal(("holder-1", "ci@runner", "OperationTypeApply"), ((string?)holder["ID"], (string?)holder["Who"], (string?)holder["Operation"]));

        var next = TerraformStateStoreContractTests.StateJson(6, "lineage-e", 3, "next");
        await AssertProblemAsync(await http.PostAsync(path, Json(next)), HttpStatusCode.Locked);
        var wrongId = await http.PostAsync(path + "?ID=holder-2", Json(next));
        await AssertProblemAsync(wrongId, HttpStatusCode.Conflict);
        Assert.Equal("holder-1", (string?)JsonNode.Parse(await wrongId.Content.ReadAsStringAsync())!["lock"]!["ID"]);
        await AssertProblemAsync(await SendAsync(http, HttpMethod.Delete, path), HttpStatusCode.Locked);
        var wrongUnlock = await SendAsync(http, Unlock, path, Json(LockBody("holder-2")));
        await AssertProblemAsync(wrongUnlock, HttpStatusCode.Conflict);
        Assert.Equal("holder-1", (string?)JsonNode.Parse(await wrongUnlock.Content.ReadAsStringAsync())!["lock"]!["ID"]);
        await AssertStateIsAsync(http, deployment, state);

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(path + "?ID=holder-1", Json(next))).StatusCode);
        await AssertStateIsAsync(http, deployment, next);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, Unlock, path, Json(LockBody("holder-1")))).StatusCode);
        Assert.Null(await host.Get<TerraformStateStore>().GetLockAsync(deployment));

        // A write naming a lock that is no longer held is refused too.
        await AssertProblemAsync(await http.PostAsync(path + "?ID=holder-1", Json(state)), HttpStatusCode.Conflict);
        await AssertStateIsAsync(http, deployment, next);
    }

    [Fact]
    public async Task Delete_removes_the_current_state_and_only_ten_versions_are_kept()
    {
        var (deployment, http, _) = await WithStateAsync();
        var path = StateBackendHost.StatePath(deployment);
        for (var serial = 6; serial <= 17; serial++)
            Assert.Equal(HttpStatusCode.OK,
                (await http.PostAsync(path, Json(TerraformStateStoreContractTests.StateJson(serial, "lineage-e", 1, "s" + serial)))).StatusCode);

        var head = await host.Get<TerraformStateStore>().GetHeadAsync(deployment);
        Assert.Equal(13, head.Version);
        Assert.Equal(10, head.Versions.Count);
        Assert.Equal(17, head.Current!.Serial);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Delete, path)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync(path)).StatusCode);
        Assert.Equal(10, (await host.Get<TerraformStateStore>().GetHeadAsync(deployment)).Versions.Count);
    }

    [Fact]
    public async Task The_rest_api_still_wants_its_api_key_and_the_openapi_document_still_renders()
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/deployments")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
    }
}
