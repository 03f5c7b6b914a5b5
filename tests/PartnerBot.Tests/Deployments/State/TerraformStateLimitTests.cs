using System.Net;
using System.Net.Http.Headers;
using PartnerBot.Api.Deployments.State;

namespace PartnerBot.Tests.Deployments.State;

/// <summary>The default <c>Deployments:MaxStateBytes</c> (32 MB) on a running host, above the web server's own default body limit.</summary>
public sealed class TerraformStateLimitTests(DefaultLimitStateBackendHost host) : IClassFixture<DefaultLimitStateBackendHost>
{
    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    [Fact]
    public async Task A_state_just_under_32_mb_is_stored_and_read_back_and_one_over_is_refused_without_loss()
    {
        var deployment = await host.CreateDeploymentAsync();
        using var http = await host.ClientAsync(deployment);
        var path = StateBackendHost.StatePath(deployment);
        const int limit = 32 * 1024 * 1024;

        var large = TerraformStateStoreContractTests.StateJson(1, "l", 1, "large", padding: 31 * 1024 * 1024);
        Assert.True(large.Length is > 30_000_000 and < limit);
        var put = await http.PostAsync(path, Json(large));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var get = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(large, await get.Content.ReadAsByteArrayAsync());

        var over = TerraformStateStoreContractTests.StateJson(2, "l", 1, "over", padding: limit);
        var refused = await http.PostAsync(path, Json(over));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("Deployments:MaxStateBytes", await refused.Content.ReadAsStringAsync());
        var head = await host.Get<TerraformStateStore>().GetHeadAsync(deployment);
        Assert.Equal((1, 1L), (head.Version, head.Current!.Serial));
    }
}
