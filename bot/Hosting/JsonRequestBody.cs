using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PartnerBot.Bot.Hosting;

/// <summary>Reads a JSON request body with a size limit, turning every kind of bad input into a 400 problem.</summary>
public static class JsonRequestBody
{
    /// <summary>Bot Framework's activity limit (256K characters); we apply it to bytes.</summary>
    public const int MaxActivityBytes = 256 * 1024;

    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, int maxBytes, CancellationToken ct)
        where T : class
    {
        var bytes = await ReadBytesAsync(request, maxBytes, ct);
        if (bytes is null)
            return (null, Problem("Request too large", $"The body is larger than {maxBytes / 1024} KB (or Http:RequestBodyLimits:Chat).",
                StatusCodes.Status413PayloadTooLarge));
        if (bytes.Length == 0)
            return (null, Problem("Empty body", "The request body must be a JSON object."));
        try
        {
            var value = JsonSerializer.Deserialize(bytes, typeInfo);
            return value is null ? (null, Problem("Invalid JSON", "The request body must be a JSON object.")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Problem("Invalid JSON", $"The request body is not valid JSON: {e.Message}"));
        }
    }

    /// <summary>
    /// The raw body, or null when it exceeds <paramref name="maxBytes"/> (by its Content-Length, while it streams in, or
    /// by the endpoint group's own limit). A body with a Content-Length is read into an array of exactly that size.
    /// </summary>
    public static async Task<byte[]?> ReadBytesAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        try
        {
            if (request.ContentLength is { } length)
            {
                if (length > maxBytes) return null;
                var exact = new byte[length];
                await request.Body.ReadExactlyAsync(exact, ct);
                return exact;
            }
            var buffer = new ArrayBufferWriter<byte>(4096);
            while (true)
            {
                var memory = buffer.GetMemory(8192);
                var read = await request.Body.ReadAsync(memory, ct);
                if (read == 0) break;
                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes) return null;
            }
            return buffer.WrittenSpan.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null; // over the server's limit for this endpoint (Http:RequestBodyLimits)
        }
    }

    public static IResult Problem(string title, string detail, int status = StatusCodes.Status400BadRequest) =>
        Results.Problem(title: title, detail: detail, statusCode: status);
}
