using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Publishing;

namespace PartnerBot.Tests.Publishing;

/// <summary>The GitHub client against the fake API: paging, scopes, conditional head reads, archives and failures.</summary>
public sealed class GitHubApiClientTests : IDisposable
{
    private readonly FakeGitHub _github = new();
    private readonly GitHubApiClient _client;
    private static readonly RepositoryName Repository = new(FakeGitHub.Owner, FakeGitHub.RepositoryName);

    public GitHubApiClientTests()
    {
        var options = Options.Create(new GitHubOptions { ApiBaseUrl = _github.ApiUrl, RetryDelayMilliseconds = 5, RequestTimeoutSeconds = 5 });
        var http = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        _client = new GitHubApiClient(http, options, TimeProvider.System, NullLogger<GitHubApiClient>.Instance);
        _github.AddModule("modules/network", "network", "Network.");
    }

    public void Dispose() => _github.Dispose();

    [Fact]
    public async Task Lists_repositories_across_every_page_following_the_link_header()
    {
        var repositories = await _client.ListRepositoriesAsync(FakeGitHub.ClassicToken, CancellationToken.None);
        Assert.Equal(150, repositories.Count);
        Assert.Contains(repositories, r => r.FullName == FakeGitHub.Repository && r.Private);
        Assert.Equal(2, _github.Server.LogEntries.Count(e => e.RequestMessage.Path == "/user/repos"));
    }

    [Fact]
    public async Task Reads_scopes_of_classic_tokens_and_none_for_fine_grained_ones()
    {
        var classic = await _client.GetTokenOwnerAsync(FakeGitHub.ClassicToken, CancellationToken.None);
        Assert.Equal("acme-dev", classic.Login);
        Assert.Equal(["repo", "read:org"], classic.Scopes);
        Assert.Null((await _client.GetTokenOwnerAsync(FakeGitHub.FineGrainedToken, CancellationToken.None)).Scopes);
        var revoked = await Assert.ThrowsAsync<GitHubFailure>(() => _client.GetTokenOwnerAsync("ghp_" + new string('Z', 36), CancellationToken.None));
        Assert.Equal(GitHubFailureKind.Unauthorized, revoked.Kind);
    }

    [Fact]
    public async Task The_head_is_asked_conditionally_and_the_archive_follows_the_redirect()
    {
        var head = await _client.GetHeadAsync(FakeGitHub.ClassicToken, Repository, null, CancellationToken.None);
        Assert.False(head.NotModified);
        Assert.Equal(_github.Sha, head.Sha);
        Assert.True((await _client.GetHeadAsync(FakeGitHub.ClassicToken, Repository, head.ETag, CancellationToken.None)).NotModified);

        var archive = await _client.DownloadTarballAsync(FakeGitHub.ClassicToken, Repository, head.Sha!, CancellationToken.None);
        var snapshot = RepositoryArchive.Read(Repository, head.Sha!, archive, 500);
        var module = Assert.Single(snapshot.Modules);
        Assert.Equal(("network", "modules/network", true), (module.Name, module.Path, module.Valid));
        // The token never travels to the archive host.
        var codeload = _github.Server.LogEntries.Single(e => e.RequestMessage.Path.StartsWith("/codeload/", StringComparison.Ordinal));
        Assert.False(codeload.RequestMessage.Headers!.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task Server_errors_are_retried_then_reported()
    {
        _github.RepositoryOverride = _ => FakeGitHub.ServerError();
        var failure = await Assert.ThrowsAsync<GitHubFailure>(() => _client.GetHeadAsync(FakeGitHub.ClassicToken, Repository, null, CancellationToken.None));
        Assert.Equal(GitHubFailureKind.Unavailable, failure.Kind);
        Assert.Contains("HTTP 502, 3 attempts", failure.Message);
        Assert.Equal(3, _github.RepositoryRequests);
    }

    [Fact]
    public async Task A_rate_limit_says_when_it_resets()
    {
        var reset = DateTimeOffset.UtcNow.AddMinutes(42);
        _github.RepositoryOverride = _ => FakeGitHub.RateLimited(reset);
        var failure = await Assert.ThrowsAsync<GitHubFailure>(() => _client.GetHeadAsync(FakeGitHub.ClassicToken, Repository, null, CancellationToken.None));
        Assert.Equal(GitHubFailureKind.RateLimited, failure.Kind);
        Assert.Contains($"resets at {reset.UtcDateTime:HH:mm} UTC", failure.Message);
        Assert.Equal(1, _github.RepositoryRequests);
    }
}
