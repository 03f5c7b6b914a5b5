using Microsoft.AspNetCore.DataProtection;
using PartnerBot.Api.Http;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Publishing;

/// <summary>
/// A partner's GitHub connection as stored: the token only encrypted (Data Protection), its hint for display, the chosen
/// repository and what the last sync saw (head commit and its ETag, so an unchanged repository costs one 304).
/// </summary>
public sealed record GitHubConnection(
    string Type,
    string UserId,
    string? ProtectedToken,
    string? TokenHint,
    GitHubTokenKind TokenKind,
    string? Login,
    string? Repository,
    string? HeadETag,
    string? HeadSha,
    DateTimeOffset? LastSyncAt,
    string? LastSyncProblem,
    DateTimeOffset UpdatedAt)
{
    public RepositoryName? ChosenRepository() => RepositoryName.TryParse(Repository, out var name) ? name : null;
}

/// <summary>GitHub connections in container <c>github</c>: partition = user id (or <c>platform</c>), id <c>connection</c>.</summary>
public sealed class GitHubConnections(IDocumentStore store, IDataProtectionProvider protection, TimeProvider clock)
{
    public const string Container = "github";
    public const string PlatformPartition = "platform";
    private const string DocumentId = "connection";
    private readonly IDataProtector _tokens = protection.CreateProtector("PartnerBot.GitHub.Token.v1");

    public async Task<GitHubConnection?> GetAsync(string userId, CancellationToken ct = default)
    {
        var document = await store.ReadAsync(Container, userId, DocumentId, ct);
        return document is null ? null : StoreJson.FromBody<GitHubConnection>(document.Body);
    }

    /// <summary>The token in clear text, for a request to GitHub only; null when none is saved or the key ring lost it.</summary>
    public string? RevealToken(GitHubConnection connection)
    {
        if (connection.ProtectedToken is null) return null;
        try { return _tokens.Unprotect(connection.ProtectedToken); }
        catch (System.Security.Cryptography.CryptographicException) { return null; }
    }

    /// <summary>Saves a checked token; keeps the repository (its sync state starts over when the token owner changed).</summary>
    public Task<GitHubConnection> SaveTokenAsync(string userId, string token, string login, CancellationToken ct = default) =>
        SaveAsync(userId, existing => (existing ?? Empty(userId)) with
        {
            ProtectedToken = _tokens.Protect(token),
            TokenHint = GitHubTokens.Hint(token),
            TokenKind = GitHubTokens.KindOf(token),
            Login = login,
            HeadETag = existing?.Login == login ? existing.HeadETag : null,
            LastSyncProblem = null,
        }, ct);

    public Task<GitHubConnection> SaveRepositoryAsync(string userId, RepositoryName repository, CancellationToken ct = default) =>
        SaveAsync(userId, existing => (existing ?? Empty(userId)) with
        {
            Repository = repository.FullName, HeadETag = null, HeadSha = null, LastSyncAt = null, LastSyncProblem = null,
        }, ct);

    public Task<GitHubConnection> SaveSyncAsync(string userId, string? etag, string? sha, string? problem, CancellationToken ct = default) =>
        SaveAsync(userId, existing => (existing ?? Empty(userId)) with
        {
            HeadETag = etag ?? existing?.HeadETag, HeadSha = sha ?? existing?.HeadSha, LastSyncAt = clock.GetUtcNow(), LastSyncProblem = problem,
        }, ct);

    public Task<GitHubConnection> SaveProblemAsync(string userId, string problem, CancellationToken ct = default) =>
        SaveAsync(userId, existing => (existing ?? Empty(userId)) with { LastSyncProblem = problem }, ct);

    public async Task<bool> DisconnectAsync(string userId, CancellationToken ct = default)
    {
        try
        {
            await store.DeleteAsync(Container, userId, DocumentId, ct: ct);
            return true;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return false;
        }
    }

    /// <summary>The partners with a repository chosen (for the scheduled sync).</summary>
    public async IAsyncEnumerable<GitHubConnection> ListConnectedAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var query = new DocumentQuery { Filters = [FieldFilter.Eq("/type", "github-connection"), FieldFilter.Exists("/repository")], PageSize = 200 };
        while (true)
        {
            var page = await store.QueryAsync(Container, null, query, ct);
            foreach (var document in page.Items)
            {
                var connection = StoreJson.FromBody<GitHubConnection>(document.Body);
                if (connection.UserId != PlatformPartition && connection.Repository is not null) yield return connection;
            }
            if (page.ContinuationToken is null) yield break;
            query = query with { ContinuationToken = page.ContinuationToken };
        }
    }

    private async Task<GitHubConnection> SaveAsync(string userId, Func<GitHubConnection?, GitHubConnection> change, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var document = await store.ReadAsync(Container, userId, DocumentId, ct);
            var existing = document is null ? null : StoreJson.FromBody<GitHubConnection>(document.Body);
            var updated = change(existing) with { UpdatedAt = clock.GetUtcNow() };
            try
            {
                if (document is null) await store.CreateAsync(Container, userId, DocumentId, StoreJson.ToBody(updated), ct: ct);
                else await store.ReplaceAsync(Container, userId, DocumentId, StoreJson.ToBody(updated), document.ETag, ct: ct);
                return updated;
            }
            catch (StorageException e) when (e.Kind is StorageErrorKind.Conflict or StorageErrorKind.PreconditionFailed && attempt < 5)
            {
            }
        }
    }

    private GitHubConnection Empty(string userId) =>
        new("github-connection", userId, null, null, GitHubTokenKind.Other, null, null, null, null, null, null, clock.GetUtcNow());
}
