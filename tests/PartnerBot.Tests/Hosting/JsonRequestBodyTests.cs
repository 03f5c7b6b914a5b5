using Microsoft.AspNetCore.Http;
using PartnerBot.Bot.Hosting;

namespace PartnerBot.Tests.Hosting;

/// <summary>The one request-body reader of the chat endpoints: whole bodies up to a limit, with or without a Content-Length.</summary>
public sealed class JsonRequestBodyTests
{
    private const int Limit = 64 * 1024;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_at_the_limit_is_read_whole(bool withLength)
    {
        var bytes = Enumerable.Range(0, Limit).Select(i => (byte)(i % 251)).ToArray();

        var read = await JsonRequestBody.ReadBytesAsync(Request(bytes, withLength), Limit, CancellationToken.None);

        Assert.Equal(bytes, read);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_one_byte_over_the_limit_is_refused(bool withLength)
    {
        var read = await JsonRequestBody.ReadBytesAsync(Request(new byte[Limit + 1], withLength), Limit, CancellationToken.None);

        Assert.Null(read);
    }

    [Fact]
    public async Task An_empty_body_is_empty_not_refused()
    {
        Assert.Empty((await JsonRequestBody.ReadBytesAsync(Request([], true), Limit, CancellationToken.None))!);
        Assert.Empty((await JsonRequestBody.ReadBytesAsync(Request([], false), Limit, CancellationToken.None))!);
    }

    /// <summary>A request whose body arrives in small pieces, as a socket delivers it.</summary>
    private static HttpRequest Request(byte[] body, bool withLength)
    {
        var http = new DefaultHttpContext();
        http.Request.Body = new TrickleStream(body);
        if (withLength) http.Request.ContentLength = body.Length;
        return http.Request;
    }

    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], ct);
    }
}
