using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PartnerBot.Api.Publishing;

/// <summary>Who a token belongs to and what it may do, from <c>GET /user</c>.</summary>
/// <param name="Scopes">The classic scopes from <c>X-OAuth-Scopes</c>; null when GitHub sent no such header (fine-grained tokens).</param>
public sealed record GitHubTokenOwner(string Login, IReadOnlyList<string>? Scopes);

public sealed record GitHubRepository(string FullName, bool Private, string? DefaultBranch);

/// <summary>The head commit of a repository's default branch; <see cref="NotModified"/> when it matched the given ETag.</summary>
public sealed record GitHubHead(bool NotModified, string? Sha, string? ETag);

/// <summary>
/// The few GitHub REST calls publishing needs, over plain HttpClient (conditional requests and archive streaming need
/// the raw response). Server errors and timeouts are retried with a doubling pause; everything else fails at once as a
/// <see cref="GitHubFailure"/>. Tokens go only into the Authorization header, never into a log or a message.
/// </summary>
public sealed partial class GitHubApiClient(IHttpClientFactory httpClients, IOptions<GitHubOptions> options, TimeProvider clock,
    ILogger<GitHubApiClient> logger)
{
    public const string HttpClientName = "github";
    private const int MaxRepositoryPages = 100;

    public async Task<GitHubTokenOwner> GetTokenOwnerAsync(string token, CancellationToken ct)
    {
        using var response = await SendAsync(token, "user", null, null, "your token", ct);
        var body = await ReadJsonAsync(response, ct);
        IReadOnlyList<string>? scopes = response.Headers.TryGetValues("X-OAuth-Scopes", out var values)
            ? string.Join(",", values).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;
        return new GitHubTokenOwner((string?)body["login"] ?? "", scopes);
    }

    /// <summary>Every repository the token can read (owned, collaborating, organisation member), following <c>Link: rel="next"</c>.</summary>
    public async Task<IReadOnlyList<GitHubRepository>> ListRepositoriesAsync(string token, CancellationToken ct)
    {
        var repositories = new List<GitHubRepository>();
        string? next = "user/repos?per_page=100&affiliation=owner,collaborator,organization_member&sort=full_name";
        for (var page = 0; next is not null && page < MaxRepositoryPages; page++)
        {
            using var response = await SendAsync(token, next, null, null, "your repository list", ct);
            using var stream = await response.Content.ReadAsStreamAsync(ct);
            var items = await JsonNode.ParseAsync(stream, cancellationToken: ct) as JsonArray ?? [];
            foreach (var item in items.OfType<JsonObject>())
            {
                if ((string?)item["full_name"] is not { Length: > 0 } fullName) continue;
                repositories.Add(new GitHubRepository(fullName, (bool?)item["private"] ?? false, (string?)item["default_branch"]));
            }
            next = NextLink(response);
            // The token goes only to the configured API host, whatever a Link header says.
            if (next is not null && Uri.TryCreate(next, UriKind.Absolute, out var nextUri)
                && Uri.Compare(nextUri, options.Value.ApiBase, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
                next = null;
        }
        return repositories;
    }

    /// <summary>True when the token can read the repository's contents (fine-grained tokens need "Contents: read").</summary>
    public async Task<bool> CanReadContentsAsync(string token, RepositoryName repository, CancellationToken ct)
    {
        try
        {
            using var response = await SendAsync(token, $"repos/{repository.FullName}/contents/", null, null, repository.FullName, ct);
            return true;
        }
        catch (GitHubFailure e) when (e.Kind is GitHubFailureKind.NotFound or GitHubFailureKind.Forbidden)
        {
            return false;
        }
    }

    /// <summary>The default branch's head commit, asked conditionally: an unchanged repository answers 304 (one request).</summary>
    public async Task<GitHubHead> GetHeadAsync(string token, RepositoryName repository, string? etag, CancellationToken ct)
    {
        using var response = await SendAsync(token, $"repos/{repository.FullName}/commits/HEAD", etag, "application/vnd.github.sha",
            repository.FullName, ct);
        if (response.StatusCode == HttpStatusCode.NotModified) return new GitHubHead(true, null, etag);
        var sha = (await response.Content.ReadAsStringAsync(ct)).Trim();
        if (sha.StartsWith('{'))
        {
            // A server that ignores the sha media type answers with the commit object.
            sha = (string?)JsonNode.Parse(sha)?["sha"] ?? "";
        }
        if (sha.Length is < 7 or > 64 || !sha.All(char.IsAsciiHexDigit))
            throw new GitHubFailure(GitHubFailureKind.BadArchive, $"GitHub answered the head commit of {repository.FullName} with something that is not a commit id.");
        return new GitHubHead(false, sha, response.Headers.ETag?.ToString());
    }

    /// <summary>The repository at <paramref name="sha"/> as a gzip'd tarball, read into memory up to the configured size limit.</summary>
    public async Task<byte[]> DownloadTarballAsync(string token, RepositoryName repository, string sha, CancellationToken ct)
    {
        var limit = options.Value.MaxArchiveBytes;
        using var response = await SendAsync(token, $"repos/{repository.FullName}/tarball/{sha}", null, "application/vnd.github+json",
            repository.FullName, ct);
        if (response.Content.Headers.ContentLength > limit) throw TooLarge(repository, limit);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds * 4));
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, timeout.Token)) > 0)
            {
                if (buffer.Length + read > limit) throw TooLarge(repository, limit);
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw GitHubFailure.Unavailable("the archive download timed out", 1);
        }
        catch (HttpRequestException e)
        {
            throw GitHubFailure.Unavailable("the archive download broke off: " + e.Message, 1);
        }
    }

    private static GitHubFailure TooLarge(RepositoryName repository, long limit) => new(GitHubFailureKind.TooLarge,
        $"The archive of {repository.FullName} is larger than {Size(limit)}, the most a sync reads. Keep modules in a smaller repository (large binaries belong elsewhere).");

    private static string Size(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024 * 1024)} MB"
        : $"{Math.Max(1, bytes / 1024)} KB";

    /// <summary>Sends a GET, retrying server errors and timeouts; any other non-success status becomes a <see cref="GitHubFailure"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(string token, string path, string? ifNoneMatch, string? accept, string what, CancellationToken ct)
    {
        var settings = options.Value;
        var delay = TimeSpan.FromMilliseconds(settings.RetryDelayMilliseconds);
        string detail = "";
        for (var attempt = 1; attempt <= settings.Attempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(delay, clock, ct);
                delay *= 2;
            }
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(settings.ApiBase, path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept ?? "application/vnd.github+json"));
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("PartnerBot", "1.0"));
            request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
            if (ifNoneMatch is { Length: > 0 }) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(settings.RequestTimeoutSeconds));
            HttpResponseMessage response;
            try
            {
                response = await httpClients.CreateClient(HttpClientName)
                    .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                detail = "no answer within " + settings.RequestTimeoutSeconds.ToString(CultureInfo.InvariantCulture) + " s";
                logger.LogWarning("GitHub request {Path} timed out (attempt {Attempt}).", PathOnly(path), attempt);
                continue;
            }
            catch (HttpRequestException e)
            {
                detail = "connection failed";
                logger.LogWarning("GitHub request {Path} failed to connect (attempt {Attempt}): {Error}", PathOnly(path), attempt, e.Message);
                continue;
            }

            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotModified) return response;
            var status = (int)response.StatusCode;
            if (status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
            {
                detail = "HTTP " + status;
                logger.LogWarning("GitHub request {Path} answered {Status} (attempt {Attempt}).", PathOnly(path), status, attempt);
                response.Dispose();
                continue;
            }
            using (response) throw await FailureAsync(response, what, ct);
        }
        throw GitHubFailure.Unavailable(detail, settings.Attempts);
    }

    private async Task<GitHubFailure> FailureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var status = response.StatusCode;
        var remaining = response.Headers.TryGetValues("X-RateLimit-Remaining", out var r) ? r.FirstOrDefault() : null;
        if ((status is HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests) && (remaining == "0" || status == HttpStatusCode.TooManyRequests))
        {
            DateTimeOffset? resetsAt = response.Headers.TryGetValues("X-RateLimit-Reset", out var reset)
                && long.TryParse(reset.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
                ? DateTimeOffset.FromUnixTimeSeconds(epoch) : null;
            logger.LogWarning("GitHub rate limit reached; resets at {ResetsAt}.", resetsAt);
            return GitHubFailure.RateLimited(resetsAt, clock.GetUtcNow());
        }
        switch (status)
        {
            case HttpStatusCode.Unauthorized:
                return GitHubFailure.Unauthorized();
            case HttpStatusCode.NotFound:
                return GitHubFailure.NotFound(what);
            default:
                var message = await MessageAsync(response, ct);
                logger.LogWarning("GitHub answered {Status} for {What}: {Message}", (int)status, what, message);
                return new GitHubFailure(GitHubFailureKind.Forbidden,
                    $"GitHub refused access to {what} (HTTP {(int)status}{(message.Length > 0 ? ": " + message : "")}).");
        }
    }

    private static async Task<string> MessageAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            var message = (string?)JsonNode.Parse(text)?["message"] ?? "";
            return GitHubTokens.Mask(message.Length > 200 ? message[..200] : message);
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static async Task<JsonObject> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var stream = await response.Content.ReadAsStreamAsync(ct);
            return await JsonNode.ParseAsync(stream, cancellationToken: ct) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            throw GitHubFailure.Unavailable("an answer that is not JSON", 1);
        }
    }

    /// <summary>The <c>rel="next"</c> URL of a <c>Link</c> header, or null on the last page (URLs may hold commas).</summary>
    internal static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values)) return null;
        foreach (System.Text.RegularExpressions.Match link in LinkPattern().Matches(string.Join(",", values)))
        {
            var rels = link.Groups["rel"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (rels.Contains("next", StringComparer.Ordinal) && link.Groups["url"].Value.Length > 0) return link.Groups["url"].Value;
        }
        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex("<(?<url>[^>]*)>\\s*;\\s*rel=\"(?<rel>[^\"]*)\"")]
    private static partial System.Text.RegularExpressions.Regex LinkPattern();

    private static string PathOnly(string path) => path.Split('?', 2)[0];
}
