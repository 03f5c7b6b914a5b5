using System.Collections.Concurrent;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace PartnerBot.Tests.Publishing;

/// <summary>
/// A WireMock.Net server answering like the GitHub REST API for what publishing uses: <c>GET /user</c> (with
/// <c>X-OAuth-Scopes</c> for classic tokens), <c>GET /user/repos</c> paged with <c>Link</c>, repository contents,
/// <c>GET /repos/o/r/commits/HEAD</c> with ETags and 304s, and <c>GET /repos/o/r/tarball/sha</c> redirecting to a
/// codeload-like path serving a real .tar.gz built from <see cref="Files"/>.
/// </summary>
public sealed class FakeGitHub : IDisposable
{
    public const string Owner = "acme";
    public const string RepositoryName = "modules";
    public const string Repository = Owner + "/" + RepositoryName;
    public static readonly string ClassicToken = "ghp_" + new string('A', 16) + "classicToken" + "0123456x";
    public static readonly string NoRepoScopeToken = "ghp_" + new string('B', 16) + "noRepoScope1" + "0123456y";
    public static readonly string FineGrainedToken = "github_pat_11AAAAAAA0" + new string('f', 22) + "_" + new string('G', 40) + "9zQ1";

    public WireMockServer Server { get; } = WireMockServer.Start();
    public string ApiUrl => Server.Url + "/";

    /// <summary>The repository's files by path (e.g. <c>modules/network/variables.tf</c>).</summary>
    public ConcurrentDictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>How many repositories the token can read besides <see cref="Repository"/>.</summary>
    public int OtherRepositories { get; set; } = 149;

    public bool FineGrainedCanReadContents { get; set; } = true;
    public HashSet<string> RevokedTokens { get; } = [];

    /// <summary>When set, answers every <c>/repos/</c> request instead of the repository (failures).</summary>
    public Func<IRequestMessage, ResponseMessage?>? RepositoryOverride { get; set; }

    /// <summary>When set, the archive served instead of the one built from <see cref="Files"/> (hostile archives).</summary>
    public Func<byte[]>? TarballOverride { get; set; }

    /// <summary>A pause before every answer under <c>/repos/</c> (timeouts).</summary>
    public TimeSpan RepositoryDelay { get; set; }

    public FakeGitHub()
    {
        Server.Given(Request.Create().UsingGet()).RespondWith(Response.Create().WithCallback(HandleAsync));
    }

    public void Dispose() => Server.Stop();

    /// <summary>Requests the server received for the repository's content since the last reset (sync cost).</summary>
    public int RepositoryRequests => Server.LogEntries.Count(e => e.RequestMessage.Path.StartsWith("/repos/", StringComparison.Ordinal)
                                                               || e.RequestMessage.Path.StartsWith("/codeload/", StringComparison.Ordinal));

    public string Sha
    {
        get
        {
            var text = string.Join("\n", Files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "\n" + f.Value));
            return Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text)));
        }
    }

    public void AddModule(string folder, string name, string description, bool valid = true)
    {
        Files[$"{folder}/variables.tf"] = ModuleVariables(name, description, valid);
        Files[$"{folder}/main.tf"] = $"resource \"terraform_data\" \"{name.ToLowerInvariant()}\" {{\n  input = var.project_id\n}}\n";
    }

    public void RemoveFolder(string folder)
    {
        foreach (var key in Files.Keys.Where(k => k.StartsWith(folder + "/", StringComparison.Ordinal)).ToList()) Files.TryRemove(key, out _);
    }

    public static string ModuleVariables(string name, string description, bool valid = true)
    {
        var publicAccess = valid ? """

            variable "public_access" {
              description = "Available to all platform users. {{UIMeta group=0 order=108 }}"
              type        = bool
              default     = false
            }
            """ : "";
        return $$$"""
            variable "module_description" {
              description = "The description of the module. {{UIMeta group=0 order=101 }}"
              type        = string
              default     = "{{{description}}}"
            }

            variable "credit_cost" {
              description = "Specify the module cost. {{UIMeta group=0 order=105 }}"
              type        = number
              default     = 5
            }
            {{{publicAccess}}}

            variable "project_id" {
              description = "Project for {{{name}}}. {{UIMeta group=1 order=201 }}"
              type        = string
            }
            """;
    }

    private async Task<IResponseMessage> HandleAsync(IRequestMessage request)
    {
        var path = request.Path;
        if (path.StartsWith("/codeload/", StringComparison.Ordinal)) return Bytes(200, TarballOverride?.Invoke() ?? Tarball(), "application/x-gzip");

        var token = Header(request, "Authorization") is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : null;
        if (token is null || RevokedTokens.Contains(token) || (token != ClassicToken && token != NoRepoScopeToken && token != FineGrainedToken))
            return Json(401, new JsonObject { ["message"] = "Bad credentials", ["documentation_url"] = "https://docs.github.com/rest", ["status"] = "401" });

        if (path == "/user") return UserResponse(token);
        if (path == "/user/repos") return RepositoriesPage(request);
        if (!path.StartsWith("/repos/", StringComparison.Ordinal)) return NotFound();

        if (RepositoryDelay > TimeSpan.Zero) await Task.Delay(RepositoryDelay);
        if (RepositoryOverride?.Invoke(request) is { } overridden) return overridden;

        var prefix = $"/repos/{Repository}/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal)) return NotFound();
        var rest = path[prefix.Length..];
        if (rest is "contents/" or "contents")
            return token == FineGrainedToken && !FineGrainedCanReadContents ? NotFound() : Json(200, new JsonArray());
        if (rest == "commits/HEAD")
        {
            var sha = Sha;
            var etag = $"W/\"{sha[..20]}-etag\"";
            if (Header(request, "If-None-Match") == etag) return Status(304, ("ETag", etag));
            var accept = Header(request, "Accept") ?? "";
            return accept.Contains("application/vnd.github.sha", StringComparison.Ordinal)
                ? Bytes(200, Encoding.UTF8.GetBytes(sha), "application/vnd.github.sha", ("ETag", etag))
                : Json(200, new JsonObject { ["sha"] = sha }, ("ETag", etag));
        }
        if (rest.StartsWith("tarball/", StringComparison.Ordinal))
            return Status(302, ("Location", $"{Server.Url}/codeload/{Repository}/legacy.tar.gz/{rest["tarball/".Length..]}"));
        return NotFound();
    }

    private ResponseMessage UserResponse(string token)
    {
        var headers = new List<(string, string)> { ("X-RateLimit-Limit", "5000"), ("X-RateLimit-Remaining", "4999") };
        if (token == ClassicToken) headers.Add(("X-OAuth-Scopes", "repo, read:org"));
        if (token == NoRepoScopeToken) headers.Add(("X-OAuth-Scopes", "read:user, gist"));
        return Json(200, new JsonObject { ["login"] = "acme-dev", ["id"] = 583231, ["type"] = "User", ["name"] = "Acme Developer" }, headers.ToArray());
    }

    private ResponseMessage RepositoriesPage(IRequestMessage request)
    {
        var page = request.Query?.TryGetValue("page", out var pages) == true && int.TryParse(pages.FirstOrDefault(), out var p) ? p : 1;
        var all = Enumerable.Range(1, OtherRepositories).Select(i => $"{Owner}/project-{i:D3}").Append(Repository)
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
        var items = new JsonArray(all.Skip((page - 1) * 100).Take(100).Select(full => (JsonNode)new JsonObject
        {
            ["id"] = Math.Abs(full.GetHashCode(StringComparison.Ordinal)),
            ["name"] = full.Split('/')[1],
            ["full_name"] = full,
            ["private"] = full == Repository,
            ["owner"] = new JsonObject { ["login"] = Owner, ["type"] = "Organization" },
            ["default_branch"] = "main",
        }).ToArray());
        var lastPage = (all.Count + 99) / 100;
        var link = page < lastPage
            ? $"<{Server.Url}/user/repos?per_page=100&affiliation=owner,collaborator,organization_member&page={page + 1}>; rel=\"next\", " +
              $"<{Server.Url}/user/repos?per_page=100&affiliation=owner,collaborator,organization_member&page={lastPage}>; rel=\"last\""
            : $"<{Server.Url}/user/repos?per_page=100&affiliation=owner,collaborator,organization_member&page=1>; rel=\"first\"";
        return Json(200, items, ("Link", link));
    }

    /// <summary>The repository as GitHub serves it: a pax global header with the commit id, then <c>acme-modules-sha7/...</c>.</summary>
    public byte[] Tarball()
    {
        var sha = Sha;
        var top = $"{Owner}-{RepositoryName}-{sha[..7]}/";
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["comment"] = sha }));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, top));
            foreach (var (path, content) in Files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, top + path) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
                tar.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }

    public static ResponseMessage RateLimited(DateTimeOffset reset)
    {
        var response = Json(403, new JsonObject { ["message"] = "API rate limit exceeded for user ID 583231.", ["documentation_url"] = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api" },
            ("X-RateLimit-Limit", "5000"), ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Used", "5000"),
            ("X-RateLimit-Reset", reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        return response;
    }

    public static ResponseMessage NotFound() => Json(404, new JsonObject { ["message"] = "Not Found", ["documentation_url"] = "https://docs.github.com/rest", ["status"] = "404" });

    public static ResponseMessage ServerError() => Json(502, new JsonObject { ["message"] = "Server Error" });

    public static ResponseMessage Unauthorized() => Json(401, new JsonObject { ["message"] = "Bad credentials", ["status"] = "401" });

    private static string? Header(IRequestMessage request, string name) =>
        request.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    private static ResponseMessage Json(int status, JsonNode body, params (string Name, string Value)[] headers) =>
        Bytes(status, Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json; charset=utf-8", headers);

    private static ResponseMessage Status(int status, params (string Name, string Value)[] headers)
    {
        var response = new ResponseMessage { StatusCode = status };
        foreach (var (name, value) in headers) response.AddHeader(name, value);
        return response;
    }

    private static ResponseMessage Bytes(int status, byte[] body, string contentType, params (string Name, string Value)[] headers)
    {
        var response = Status(status, headers);
        response.AddHeader("Content-Type", contentType);
        response.BodyData = new BodyData { DetectedBodyType = BodyType.Bytes, BodyAsBytes = body };
        return response;
    }
}
