using System.Formats.Tar;
using System.IO.Compression;
using Microsoft.Extensions.Configuration;
using PartnerBot.Api.Publishing;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Publishing;

/// <summary>
/// <c>GitHub:MaxUnpackedBytes</c>: an archive small enough to download but unpacking to far more (a gzip bomb) is
/// abandoned once the limit has been decompressed, whatever its entries are, and the partner is told why.
/// </summary>
public sealed class UnpackedSizeLimitTests : IAsyncLifetime
{
    private const long Limit = 1024 * 1024;
    private static readonly RepositoryName Repository = new(FakeGitHub.Owner, FakeGitHub.RepositoryName);
    private PublishingTestHost _host = null!;

    public async Task InitializeAsync() => _host = await PublishingTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["GitHub:MaxUnpackedBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_repository_that_unpacks_past_the_limit_is_refused_in_the_chat_and_changes_nothing()
    {
        var chat = await DirectLineTestClient.StartAsync(_host.Host.Client);
        await chat.SendTextAsync("menu");
        await chat.WaitForCardAsync();
        var user = await _host.UserAsync(chat);
        await _host.ConnectAsync(user.Id);
        // The ordinary repository is well within the limit.
        await _host.PublishAsync(user.Id, "network", "storage");

        // 8 MB of zeros in a file no sync reads (not a module file) compresses to a few KB: the download limit
        // (50 MB) lets it through, the unpacked limit must not.
        _host.GitHub.Files["assets/zeros.bin"] = new string('\0', 8 * 1024 * 1024);
        _host.GitHub.RemoveFolder("modules/network"); // a sync that read the archive would remove network
        Assert.True(_host.GitHub.Tarball().Length < 1024 * 1024);

        await chat.SendTextAsync("publish");
        var card = await chat.WaitForTextAsync("unpacks to more than 1 MB", TimeSpan.FromSeconds(40));
        var text = DirectLineTestClient.AllText(card);
        Assert.Contains("acme/modules unpacks to more than 1 MB, the most a sync reads", text);
        Assert.Contains("Nothing was changed in the catalog", text);
        Assert.Equal(["network", "storage"], await _host.CatalogNamesAsync(user.Id));
        Assert.Equal("acme/modules unpacks to more than 1 MB, the most a sync reads. Keep modules in a smaller repository (large binaries, data files and generated output belong elsewhere).",
            (await _host.Service<GitHubConnections>().GetAsync(user.Id))!.LastSyncProblem);
    }

    [Fact]
    public async Task Reading_a_gzip_bomb_from_GitHub_stops_at_the_limit_instead_of_inflating_it_all()
    {
        const int bombBytes = 64 * 1024 * 1024;
        var bomb = Bomb(bombBytes);
        _host.GitHub.TarballOverride = () => bomb;
        var client = _host.Service<GitHubApiClient>();
        var archive = await client.DownloadTarballAsync(FakeGitHub.ClassicToken, Repository, "abc1234", CancellationToken.None);
        Assert.Equal(bomb, archive);

        using var counting = new CountingStream(new GZipStream(new MemoryStream(archive), CompressionMode.Decompress));
        var failure = Assert.Throws<GitHubFailure>(() => RepositoryArchive.ReadTar(Repository, "abc1234", counting, 500, Limit));

        Assert.Equal(GitHubFailureKind.TooLarge, failure.Kind);
        Assert.Contains("unpacks to more than 1 MB", failure.Message);
        Assert.True(counting.BytesRead > Limit, $"{counting.BytesRead} bytes read");
        Assert.True(counting.BytesRead <= Limit + 64 * 1024, $"{counting.BytesRead} bytes read of {bombBytes}: reading did not stop at the limit");
        // The same archive read to its end really is that large.
        using var whole = new CountingStream(new GZipStream(new MemoryStream(archive), CompressionMode.Decompress));
        whole.CopyTo(Stream.Null);
        Assert.True(whole.BytesRead > bombBytes);
    }

    [Fact]
    public void Headers_of_skipped_entries_count_toward_the_limit()
    {
        // 4,000 empty files nobody reads: no data at all, only tar headers (over 2 MB of them).
        var archive = Archive(tar =>
        {
            for (var i = 0; i < 4000; i++)
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"acme-modules-abc1234/docs/page-{i:D4}.md"));
        });
        var failure = Assert.Throws<GitHubFailure>(() => RepositoryArchive.Read(Repository, "abc1234", archive, 500, Limit));
        Assert.Equal(GitHubFailureKind.TooLarge, failure.Kind);

        // Under a limit it fits, the same archive reads (and holds no modules).
        Assert.Empty(RepositoryArchive.Read(Repository, "abc1234", archive, 500, 64 * Limit).Modules);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void The_limit_must_be_positive(string value)
    {
        var options = new GitHubOptions();
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["GitHub:MaxUnpackedBytes"] = value }).Build()
            .GetSection("GitHub").Bind(options);
        Assert.Equal("GitHub:MaxUnpackedBytes must be greater than 0.", GitHubOptions.Validate(options));
        Assert.Equal(200L * 1024 * 1024, new GitHubOptions().MaxUnpackedBytes);
        Assert.Null(GitHubOptions.Validate(new GitHubOptions()));
    }

    /// <summary>A GitHub-style tarball holding one valid module and a large zero-filled non-module file after it.</summary>
    private static byte[] Bomb(int zeros) => Archive(tar =>
    {
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "acme-modules-abc1234/"));
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "acme-modules-abc1234/assets/disk.img") { DataStream = new MemoryStream(new byte[zeros]) });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "acme-modules-abc1234/dns/variables.tf")
        {
            DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(FakeGitHub.ModuleVariables("dns", "DNS."))),
        });
    });

    private static byte[] Archive(Action<TarWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            write(tar);
        return buffer.ToArray();
    }

    /// <summary>Counts the bytes pulled out of the stream it wraps.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            BytesRead += read;
            return read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
