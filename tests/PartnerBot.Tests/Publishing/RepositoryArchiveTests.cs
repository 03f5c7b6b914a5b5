using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Publishing;

namespace PartnerBot.Tests.Publishing;

/// <summary>Reading repository archives in memory: candidate folders, limits, and token recognition.</summary>
public sealed class RepositoryArchiveTests : IDisposable
{
    private static readonly RepositoryName Repository = new(FakeGitHub.Owner, FakeGitHub.RepositoryName);
    private readonly FakeGitHub _github = new();

    public void Dispose() => _github.Dispose();

    [Fact]
    public void Candidates_are_root_folders_and_folders_directly_under_modules()
    {
        _github.AddModule("modules/network", "network", "Network.");
        _github.AddModule("dns", "dns", "DNS.");
        _github.AddModule("modules/network/examples/basic", "basic", "An example, not a module.");
        _github.AddModule(".github/workflows", "workflows", "Not a module folder.");
        _github.Files["main.tf"] = "# a root module is not a candidate\n";
        _github.Files["modules/helpers/main.tf"] = "locals {\n  x = 1\n}\n";

        var snapshot = RepositoryArchive.Read(Repository, _github.Sha, _github.Tarball(), 500);

        Assert.Equal(["dns", "helpers", "network"], snapshot.Modules.Select(m => m.Name).ToList());
        Assert.Equal("modules/network", snapshot.Find("network")!.Path);
        Assert.True(snapshot.Find("dns")!.Valid);
        Assert.Contains("public_access", snapshot.Find("helpers")!.Problem);
        Assert.Equal(ModuleContent.Hash(snapshot.Find("network")!.Files), snapshot.Find("network")!.ContentHash);
    }

    [Fact]
    public void A_file_that_does_not_parse_marks_only_its_module()
    {
        _github.AddModule("modules/network", "network", "Network.");
        _github.Files["modules/broken/variables.tf"] = "variable \"x\" {\n  type = \n";
        var snapshot = RepositoryArchive.Read(Repository, _github.Sha, _github.Tarball(), 500);
        Assert.True(snapshot.Find("network")!.Valid);
        Assert.StartsWith("variables.tf:", snapshot.Find("broken")!.Problem);
    }

    [Fact]
    public void Too_many_module_folders_is_a_clear_failure()
    {
        for (var i = 0; i < 4; i++) _github.AddModule($"modules/m{i}", $"m{i}", "M.");
        var failure = Assert.Throws<GitHubFailure>(() => RepositoryArchive.Read(Repository, _github.Sha, _github.Tarball(), 3));
        Assert.Equal(GitHubFailureKind.TooManyModules, failure.Kind);
        Assert.Contains("more than 3 module folders", failure.Message);
    }

    [Fact]
    public void A_corrupt_archive_is_a_clear_failure()
    {
        var failure = Assert.Throws<GitHubFailure>(() => RepositoryArchive.Read(Repository, "abc1234", "not a gzip stream"u8.ToArray(), 500));
        Assert.Equal(GitHubFailureKind.BadArchive, failure.Kind);
    }

    [Fact]
    public async Task An_archive_over_the_size_limit_is_refused_while_downloading()
    {
        for (var i = 0; i < 20; i++) _github.AddModule($"modules/m{i}", $"m{i}", new string('x', 500) + i);
        var options = Options.Create(new GitHubOptions { ApiBaseUrl = _github.ApiUrl, MaxArchiveBytes = 1024, RequestTimeoutSeconds = 5 });
        var http = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        var client = new GitHubApiClient(http, options, TimeProvider.System, NullLogger<GitHubApiClient>.Instance);
        Assert.True(_github.Tarball().Length > 1024);
        var failure = await Assert.ThrowsAsync<GitHubFailure>(() => client.DownloadTarballAsync(FakeGitHub.ClassicToken, Repository, _github.Sha, CancellationToken.None));
        Assert.Equal(GitHubFailureKind.TooLarge, failure.Kind);
        Assert.Contains("larger than 1 KB, the most a sync reads", failure.Message);
    }

    [Theory]
    [InlineData("ghp_abcdefghijklmnopqrstuvwxyz0123456789", true)]
    [InlineData("token: gho_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.", true)]
    [InlineData("ghu_abcdefghijklmnopqrstuv", true)]
    [InlineData("ghs_abcdefghijklmnopqrstuv", true)]
    [InlineData("ghr_abcdefghijklmnopqrstuv", true)]
    [InlineData("github_pat_11ABCDEFG0abcdefghijklmn_opqrstuvwxyz", true)]
    [InlineData("the ghp_ prefix alone", false)]
    [InlineData("deploy network", false)]
    [InlineData("xghp_abcdefghijklmnopqrstuvwxyz0123456789", false)]
    public void Recognises_github_token_formats(string text, bool isToken)
    {
        Assert.Equal(isToken, GitHubTokens.ContainsToken(text));
        if (isToken) Assert.False(GitHubTokens.ContainsToken(GitHubTokens.Mask(text)));
    }

    [Fact]
    public void A_token_is_only_ever_shown_as_its_prefix_and_last_four_characters()
    {
        Assert.Equal("ghp_…6789", GitHubTokens.Hint("ghp_abcdefghijklmnopqrstuvwxyz0123456789"));
        Assert.Equal("github_pat_…wxyz", GitHubTokens.Hint("github_pat_11ABCDEFG0abcdefghijklmn_opqrstuvwxyz"));
    }
}
